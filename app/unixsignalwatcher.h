#pragma once

#include <QObject>

class QSocketNotifier;

// Turns SIGINT and SIGTERM into a Qt signal on the main thread (the self-pipe trick), so
// that Ctrl-C and `systemctl stop` shut the server down cleanly.
class UnixSignalWatcher : public QObject
{
    Q_OBJECT

public:
    explicit UnixSignalWatcher(QObject *parent = nullptr);
    ~UnixSignalWatcher() override;

Q_SIGNALS:
    void terminationRequested(int signal);

private:
    static void handle(int signal);
    QSocketNotifier *m_notifier = nullptr;
};
