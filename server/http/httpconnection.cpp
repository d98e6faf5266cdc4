#include "httpconnection.h"

#include "httpwire.h"

#include <QHash>
#include <QTcpSocket>

#include <sys/socket.h>

namespace {

constexpr qint64 readChunk = 65536;
constexpr qint64 maxDrainBytes = 1 << 20; // read and dropped after the last answer
const QByteArray continueLine = QByteArrayLiteral("HTTP/1.1 100 Continue\r\n\r\n");

const char *problemType(int status)
{
    switch (status) {
    case 408: return "request-timeout";
    case 413: return "payload-too-large";
    case 414: return "uri-too-long";
    case 417: return "expectation-failed";
    case 431: return "headers-too-large";
    case 501: return "not-implemented";
    case 505: return "http-version-not-supported";
    case 404: return "not-found";
    default: return "malformed-request";
    }
}

// The refusals are a handful of fixed texts: encoded once per thread, not once per
// connection (500 slowloris connections time out in the same tick).
const QByteArray &refusalBytes(int status, const char *detail)
{
    thread_local QHash<const char *, QByteArray> encoded;
    auto it = encoded.find(detail);
    if (it == encoded.end() || !it->contains(QByteArray::number(status)))
        it = encoded.insert(detail, HttpWire::refusal(status, problemType(status), HttpWire::reasonPhrase(status), detail));
    return *it;
}

} // namespace

HttpConnection::HttpConnection(QTcpSocket *socket, const ConnectionSettings &settings, Sinks sinks, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_settings(settings)
    , m_sinks(std::move(sinks))
    , m_framer(settings.limits)
{
    m_clock.start();
    m_socket->setParent(this);
    // Qt stops reading from the kernel once this much waits unread: a client that sends
    // faster than it is served is slowed down by TCP, not buffered here.
    m_socket->setReadBufferSize(readChunk);
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::CoarseTimer);
    connect(&m_timer, &QTimer::timeout, this, &HttpConnection::timedOut);
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::process);
    connect(m_socket, &QTcpSocket::disconnected, this, &QObject::deleteLater);
    connect(m_socket, &QTcpSocket::bytesWritten, this, [this] {
        m_lastProgressMs = m_clock.elapsed();
        if (m_finishing && m_socket->bytesToWrite() == 0)
            ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
        if (!m_finishing && !m_inProcess)
            process(); // a slow reader caught up: read the next requests
        else
            armTimer();
    });
    armTimer();
    if (m_socket->bytesAvailable() > 0)
        process();
}

HttpConnection::~HttpConnection() = default;

bool HttpConnection::canReadAhead() const
{
    return int(m_slots.size()) < m_settings.maxPipelined && m_socket->bytesToWrite() <= m_settings.maxUnsentBytes;
}

void HttpConnection::process()
{
    if (m_handedOver || m_inProcess)
        return;
    m_inProcess = true;
    for (;;) {
        if (m_finishing) {
            // After the last answer: read and drop what the client still sends (so that the
            // close is not a reset that loses the answer), up to a bound.
            const qint64 n = m_socket->bytesAvailable();
            if (n > 0)
                m_drained += m_socket->skip(n);
            if (m_drained > maxDrainBytes) {
                m_inProcess = false;
                drop();
                return;
            }
            break;
        }
        if (m_stopReading || !canReadAhead())
            break;
        const qint64 room = m_framer.room();
        const qint64 available = m_socket->bytesAvailable();
        if (room > 0 && available > 0) {
            if (m_framer.idle())
                m_requestStartMs = m_clock.elapsed();
            // What is there, not the most that may be: QIODevice::read(n) allocates n bytes
            // first (25 KiB for a 300-byte request), and hands over its buffered block
            // without a copy when n is exactly that block's size.
            m_framer.append(m_socket->read(qMin(qMin(room, readChunk), available)));
        }
        const RequestFramer::Step step = m_framer.advance();
        if (step == RequestFramer::Step::NeedMore) {
            if (m_framer.room() > 0 && m_socket->bytesAvailable() > 0)
                continue;
            break;
        }
        if (step == RequestFramer::Step::Failed) {
            refuse(m_framer.errorStatus(), m_framer.errorDetail());
            break;
        }
        if (step == RequestFramer::Step::HeadReady) {
            if (m_headDoneMs < 0) {
                m_headDoneMs = m_clock.elapsed();
                const FramedRequest &r = m_framer.request();
                if (r.webSocketUpgrade) {
                    refuse(400, "A WebSocket upgrade carries no body.");
                    break;
                }
                // The body fits (the framer refused a larger declared length already).
                if (r.expectsContinue && !m_continueSent) {
                    if (m_slots.empty()) {
                        m_socket->write(continueLine);
                        m_continueSent = true;
                    } else {
                        m_continuePending = true; // after the earlier answers, in order
                    }
                }
            }
            if (m_framer.room() > 0 && m_socket->bytesAvailable() > 0)
                continue;
            break;
        }
        // A whole request.
        if (m_framer.request().webSocketUpgrade) {
            m_inProcess = false;
            handOver();
            return;
        }
        FramedRequest request = m_framer.take();
        const qint64 now = m_clock.elapsed();
        m_headDoneMs = -1;
        m_continueSent = false;
        m_continuePending = false;
        m_sawRequest = true;
        m_lastProgressMs = now;
        if (!m_framer.idle())
            m_requestStartMs = now;
        Slot slot;
        slot.sequence = m_nextSequence++;
        slot.keepAlive = request.keepAlive;
        m_slots.push_back(slot);
        if (!request.keepAlive)
            m_stopReading = true; // Connection: close or HTTP/1.0: this is the last request
        m_sinks.request(this, slot.sequence, std::move(request));
    }
    m_inProcess = false;
    armTimer();
}

void HttpConnection::answer(quint64 sequence, QByteArray bytes)
{
    for (Slot &slot : m_slots) {
        if (slot.sequence == sequence) {
            slot.bytes = std::move(bytes);
            slot.ready = true;
            break;
        }
    }
    flush();
}

void HttpConnection::refuse(int status, const char *detail)
{
    Slot slot;
    slot.sequence = m_nextSequence++;
    slot.keepAlive = false;
    slot.ready = true;
    slot.bytes = refusalBytes(status, detail);
    m_slots.push_back(std::move(slot));
    m_stopReading = true;
    m_continuePending = false;
    flush();
}

void HttpConnection::flush()
{
    if (m_handedOver || m_finishing)
        return;
    while (!m_slots.empty() && m_slots.front().ready) {
        Slot slot = std::move(m_slots.front());
        m_slots.pop_front();
        m_socket->write(slot.bytes);
        m_lastProgressMs = m_clock.elapsed();
        if (!slot.keepAlive) {
            m_slots.clear();
            finish();
            return;
        }
    }
    if (m_continuePending && m_slots.empty()) {
        m_socket->write(continueLine);
        m_continuePending = false;
        m_continueSent = true;
    }
    if (!m_inProcess)
        process(); // room again for requests read ahead
}

void HttpConnection::finish()
{
    m_finishing = true;
    m_stopReading = true;
    m_lastProgressMs = m_clock.elapsed();
    if (m_socket->bytesToWrite() == 0)
        ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
    // else: bytesWritten shuts the sending side once the last answer is out.
    if (!m_inProcess)
        process();
    armTimer();
}

qint64 HttpConnection::deadline() const
{
    const ConnectionSettings &s = m_settings;
    const bool unsent = m_socket->bytesToWrite() > 0;
    if (m_finishing)
        return m_lastProgressMs + (unsent ? s.idleTimeoutMs : s.lingerMs);
    if (!m_stopReading && !m_framer.idle() && canReadAhead())
        return m_headDoneMs >= 0 ? m_headDoneMs + s.bodyTimeoutMs : m_requestStartMs + s.headerTimeoutMs;
    if (unsent)
        return m_lastProgressMs + s.idleTimeoutMs; // a client that does not read its answers
    if (!m_slots.empty())
        return -1; // handlers are working; each answers (or Exchange answers 500 for it)
    return m_sawRequest ? m_lastProgressMs + s.idleTimeoutMs : s.headerTimeoutMs; // no first request yet
}

void HttpConnection::armTimer()
{
    if (m_handedOver)
        return;
    const qint64 due = deadline();
    if (due < 0) {
        m_timer.stop();
        return;
    }
    // Restarting a QTimer takes it out of the thread's ordered timer list and puts it back,
    // and every read and answer arms it: a slow client sending a byte at a time costs its
    // HTTP thread a restart per byte. A timer already due at this deadline or earlier is
    // left to run; when it fires early, timedOut arms it again for the later deadline.
    if (m_timer.isActive() && m_armedDueMs <= due)
        return;
    m_armedDueMs = due;
    m_timer.start(int(qBound<qint64>(0, due - m_clock.elapsed(), qint64(24) * 3600 * 1000)));
}

void HttpConnection::timedOut()
{
    const qint64 due = deadline();
    if (due < 0)
        return;
    if (due > m_clock.elapsed()) {
        armTimer();
        return;
    }
    if (!m_finishing && !m_stopReading && !m_framer.idle() && canReadAhead()) {
        // A request started but did not arrive in time (slowloris, a stalled body).
        refuse(408, "The request did not arrive in time.");
        return;
    }
    drop(); // idle, a reader that stopped reading, or a client that never closed
}

void HttpConnection::drop()
{
    m_timer.stop();
    m_socket->abort();
    deleteLater();
}

void HttpConnection::handOver()
{
    const FramedRequest &request = m_framer.request();
    if (!m_slots.empty()) {
        refuse(400, "A WebSocket upgrade cannot follow unanswered requests.");
        return;
    }
    if (!m_sinks.mayUpgrade || !m_sinks.mayUpgrade(request)) {
        refuse(404, "No WebSocket is served at this path.");
        return;
    }
    // Give the WebSocket handshake back to the socket as the client sent it (with
    // anything that followed), and leave: the socket belongs to the WebSocket now.
    const QByteArray sent = m_framer.unconsumed();
    m_handedOver = true;
    m_timer.stop();
    disconnect(m_socket, nullptr, this, nullptr);
    for (auto it = sent.crbegin(); it != sent.crend(); ++it)
        m_socket->ungetChar(*it);
    QTcpSocket *socket = m_socket;
    socket->setParent(nullptr);
    m_socket = nullptr;
    m_sinks.upgrade(socket);
    deleteLater();
}
