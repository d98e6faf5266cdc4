#pragma once

#include <QByteArray>
#include <QString>
#include <QThread>

#include <atomic>
#include <memory>

class QObject;

// A TCP relay on loopback between the server and PostgreSQL that can lose the answer to a
// COMMIT, as a network that fails at the worst moment would. It reads the frontend's
// messages (PostgreSQL's wire protocol) and relays them as they are; once armed, it waits
// for a transaction whose statements contain `marker` (e.g. "INSERT INTO reservations"),
// forwards its COMMIT and then closes both sides before PostgreSQL's answer can come
// back. A transaction that executes a statement prepared earlier (on the same connection)
// from SQL with the marker counts as containing it. PostgreSQL commits; the client cannot know. The relay runs on its own thread.
class CommitLossProxy
{
public:
    CommitLossProxy(quint16 postgresPort, QByteArray marker);
    ~CommitLossProxy();
    CommitLossProxy(const CommitLossProxy &) = delete;
    CommitLossProxy &operator=(const CommitLossProxy &) = delete;

    bool start(QString *error);
    quint16 port() const { return m_port; }
    // Loses the answers of the next `commits` marked transactions (any thread).
    void arm(int commits) { m_armed.fetch_add(commits); }
    // Answers lost so far (any thread).
    int lost() const { return m_lost.load(); }

private:
    friend class CommitLossRelay;
    bool takeArmed();

    const quint16 m_postgresPort;
    const QByteArray m_marker;
    quint16 m_port = 0;
    std::atomic<int> m_armed{0};
    std::atomic<int> m_lost{0};
    QThread m_thread;
    std::unique_ptr<QObject> m_context; // lives on m_thread; owns the listener and relays
};
