#pragma once

#include <QObject>
#include <QSocketNotifier>
#include <QTimer>

#include <functional>

// Accepts connections on one listening descriptor for an HTTP thread, and survives
// running out of file descriptors: it then stops accepting, logs it once, answers the
// waiting connection 503 with a spare descriptor kept for that, and tries again a little
// later, instead of being woken for the same connection over and over. Lives in its
// HTTP thread; owns the listening descriptor.
class Acceptor : public QObject
{
    Q_OBJECT

public:
    using Handler = std::function<void(int descriptor)>;
    Acceptor(int listenDescriptor, Handler handler, QObject *parent = nullptr);
    ~Acceptor() override;

private:
    void acceptReady();
    void exhausted(int error);

    int m_fd;
    int m_spare = -1; // a descriptor held back, released to shed a connection when none is left
    Handler m_handler;
    QSocketNotifier m_notifier;
    QTimer m_retry;
};
