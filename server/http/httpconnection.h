#pragma once

#include "requestframer.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <deque>
#include <functional>

class QTcpSocket;

// The timeouts and limits every connection is held to (ServerConfig::Limits).
struct ConnectionSettings
{
    RequestLimits limits;
    int headerTimeoutMs = 10000;   // from a request's first byte (or the connection's start) to its blank line
    int bodyTimeoutMs = 30000;     // from the end of the head to the last byte of the body
    int idleTimeoutMs = 30000;     // between requests on a kept-alive connection, and for a stalled reader
    int maxPipelined = 32;         // requests read ahead of their answers
    qint64 maxUnsentBytes = 1 << 20; // answers waiting for a slow reader before reading stops
    int lingerMs = 2000;           // after the last answer, wait this long for the client to close
    qint64 maxWebSocketMessageBytes = 16384; // a client's WebSocket message or frame; larger closes it
    QByteArray webSocketPath = "/notifications"; // the only path a WebSocket upgrade is served on
};

// One client connection on an HTTP thread. Reads requests through a RequestFramer, which
// holds the limits as bytes arrive; answers framing errors itself (400, 408, 413, 414,
// 417, 431, 501, 505) and closes; hands each whole request to the worker with a
// sequence number and writes the answers in request order however the handlers finish.
// Honours Connection: close and HTTP/1.0, sends 100 Continue only for a body that fits,
// and hands a WebSocket upgrade over as it was sent. Owns its socket; deletes itself when
// the socket is gone. Lives and dies in its HTTP thread.
class HttpConnection : public QObject
{
    Q_OBJECT

public:
    struct Sinks
    {
        // Receives every whole request; its answer comes back through answer().
        std::function<void(HttpConnection *connection, quint64 sequence, FramedRequest request)> request;
        // Whether a WebSocket upgrade of this request is served (else 404).
        std::function<bool(const FramedRequest &request)> mayUpgrade;
        // Takes the socket of an accepted upgrade, with the handshake unread in it.
        std::function<void(QTcpSocket *socket)> upgrade;
    };

    HttpConnection(QTcpSocket *socket, const ConnectionSettings &settings, Sinks sinks, QObject *parent = nullptr);
    ~HttpConnection() override;

    // The encoded answer to request `sequence`; written once every earlier answer is.
    void answer(quint64 sequence, QByteArray bytes);
    QTcpSocket *socket() const { return m_socket; }

private:
    struct Slot
    {
        quint64 sequence = 0;
        bool keepAlive = true;
        bool ready = false;
        QByteArray bytes;
    };

    void process();
    void refuse(int status, const char *detail);
    void flush();
    void finish();
    void armTimer();
    void timedOut();
    bool canReadAhead() const;
    void handOver();
    void drop();
    qint64 deadline() const;

    QTcpSocket *m_socket;
    const ConnectionSettings &m_settings;
    Sinks m_sinks;
    RequestFramer m_framer;
    std::deque<Slot> m_slots;
    quint64 m_nextSequence = 0;
    QTimer m_timer;
    qint64 m_armedDueMs = -1; // when m_timer, while active, fires (m_clock's time)
    QElapsedTimer m_clock;
    qint64 m_requestStartMs = 0;  // first byte of the request being read
    qint64 m_headDoneMs = -1;     // its head complete (body being read), else -1
    qint64 m_lastProgressMs = 0;  // last answer written or request taken
    bool m_sawRequest = false;
    bool m_stopReading = false;   // Connection: close seen, or refused: no more requests
    bool m_continuePending = false;
    bool m_continueSent = false;
    bool m_finishing = false;     // last answer written: half-closed, draining
    bool m_inProcess = false;
    bool m_handedOver = false;
    qint64 m_drained = 0;
};
