#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>

// The limits one connection's requests are held to (ServerConfig::Limits, documented in
// resources/config/flashsale.ini and docs/security.md).
struct RequestLimits
{
    int maxRequestLineBytes = 8192; // method, target and version; longer: 414
    int maxHeaderBytes = 16384;     // every header line together; more: 431
    int maxHeaderCount = 100;       // header lines; more: 431
    qint64 maxBodyBytes = 65536;    // from Content-Length before the body is read, or as chunks arrive: 413
};

// One request as the client framed it. Header names are lower case; the body is whole.
struct FramedRequest
{
    QByteArray method;
    QByteArray target;  // as sent: origin-form, percent-encoding untouched
    int minorVersion = 1; // HTTP/1.0 or HTTP/1.1
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    bool keepAlive = true;        // false: Connection: close, or HTTP/1.0
    bool expectsContinue = false; // Expect: 100-continue on HTTP/1.1 with a body to come
    bool webSocketUpgrade = false;
    qint64 declaredLength = 0;    // Content-Length (0 when chunked or absent)

    QByteArray header(const QByteArray &lowerCaseName) const;
};

// Reads HTTP/1.0 and 1.1 request framing from a byte stream, one request after the other,
// holding every limit as the bytes arrive: request line, header bytes and count,
// Content-Length or chunked body. It never echoes what it refuses. Pure and
// single-threaded (one per connection; the fuzz target drives it alone).
class RequestFramer
{
public:
    enum class Step {
        NeedMore,    // give more bytes
        HeadReady,   // head parsed, body still to come (request() has no body yet)
        Complete,    // request() is whole; take() it before advancing again
        Failed,      // errorStatus()/errorDetail() say why; the connection must close
    };

    explicit RequestFramer(const RequestLimits &limits) : m_limits(limits) {}

    void append(const QByteArray &bytes) { m_buffer.append(bytes); }
    // Parses as far as the buffered bytes go.
    Step advance();
    // How many more bytes may be buffered now (reading stops at 0).
    qint64 room() const;
    // Whether the current request has not started (nothing buffered towards it).
    bool idle() const { return m_state == State::Head && m_pos >= m_buffer.size(); }
    bool headComplete() const { return m_state == State::Body || m_state == State::Complete; }

    const FramedRequest &request() const { return m_request; }
    FramedRequest take();
    // Every byte buffered from the start of the current request on (for a WebSocket
    // upgrade, which hands the connection to the WebSocket handshake as it was sent).
    QByteArray unconsumed() const { return m_buffer.mid(m_requestStart); }

    int errorStatus() const { return m_errorStatus; }
    const char *errorDetail() const { return m_errorDetail; }

private:
    enum class State { Head, Body, Complete, Failed };
    enum class BodyMode { Length, ChunkSize, ChunkData, ChunkDataEnd, Trailers };

    Step fail(int status, const char *detail);
    Step parseHead();
    Step parseBody();
    bool parseRequestLine(const QByteArray &line);
    Step applyHeaders();
    void compact();

    const RequestLimits m_limits;
    QByteArray m_buffer;
    qsizetype m_pos = 0;          // next unread byte
    qsizetype m_requestStart = 0; // first byte of the current request
    State m_state = State::Head;
    BodyMode m_bodyMode = BodyMode::Length;
    qint64 m_remaining = 0;       // bytes of the current chunk or the whole length body
    qint64 m_trailerBytes = 0;
    qint64 m_headerBytes = 0;
    int m_headerCount = 0;
    FramedRequest m_request;
    int m_errorStatus = 0;
    const char *m_errorDetail = "";
};
