#include "requestframer.h"

#include <cctype>

namespace {

constexpr int maxChunkLineBytes = 1024;
constexpr int maxLeadingBlankLines = 8;
constexpr int maxMethodBytes = 32;
constexpr int maxLengthDigits = 18; // fits in qint64

bool isTokenChar(char c)
{
    const auto u = static_cast<unsigned char>(c);
    if (u <= 32 || u >= 127)
        return false;
    switch (c) {
    case '(': case ')': case ',': case '/': case ':': case ';': case '<': case '=': case '>':
    case '?': case '@': case '[': case '\\': case ']': case '{': case '}': case '"':
        return false;
    default:
        return true;
    }
}

bool isToken(const QByteArray &s)
{
    if (s.isEmpty())
        return false;
    for (char c : s) {
        if (!isTokenChar(c))
            return false;
    }
    return true;
}

// Field values: visible characters, spaces, tabs and obs-text; no other control byte.
bool isFieldValue(const QByteArray &s)
{
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 32 && c != '\t') || u == 127)
            return false;
    }
    return true;
}

// A request target: no control bytes, no spaces; origin-form, "*", or absolute-form.
bool isTarget(const QByteArray &s)
{
    if (s.isEmpty())
        return false;
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 32 || u >= 127)
            return false;
    }
    return s.startsWith('/') || s == "*" || s.startsWith("http://") || s.startsWith("https://");
}

bool isDigits(const QByteArray &s)
{
    if (s.isEmpty())
        return false;
    for (char c : s) {
        if (c < '0' || c > '9')
            return false;
    }
    return true;
}

QList<QByteArray> commaTokens(const QByteArray &value)
{
    QList<QByteArray> out;
    for (const QByteArray &part : value.split(',')) {
        const QByteArray t = part.trimmed().toLower();
        if (!t.isEmpty())
            out.append(t);
    }
    return out;
}

} // namespace

QByteArray FramedRequest::header(const QByteArray &lowerCaseName) const
{
    for (const auto &h : headers) {
        if (h.first == lowerCaseName)
            return h.second;
    }
    return {};
}

RequestFramer::Step RequestFramer::fail(int status, const char *detail)
{
    m_state = State::Failed;
    m_errorStatus = status;
    m_errorDetail = detail;
    return Step::Failed;
}

qint64 RequestFramer::room() const
{
    const qint64 capacity = qint64(m_limits.maxRequestLineBytes) + m_limits.maxHeaderBytes + maxChunkLineBytes;
    const qsizetype from = m_state == State::Head ? m_requestStart : m_pos;
    return qMax<qint64>(0, capacity - (m_buffer.size() - from));
}

FramedRequest RequestFramer::take()
{
    FramedRequest out = std::move(m_request);
    m_request = FramedRequest();
    m_state = State::Head;
    m_requestStart = m_pos;
    m_trailerBytes = 0;
    compact();
    return out;
}

void RequestFramer::compact()
{
    const qsizetype keep = m_state == State::Head ? m_requestStart : m_pos;
    if (keep <= 0)
        return;
    m_buffer.remove(0, keep);
    m_pos -= keep;
    m_requestStart -= keep;
    if (m_requestStart < 0)
        m_requestStart = 0;
}

RequestFramer::Step RequestFramer::advance()
{
    switch (m_state) {
    case State::Failed:
        return Step::Failed;
    case State::Complete:
        return Step::Complete;
    case State::Head: {
        const Step s = parseHead();
        if (s != Step::HeadReady)
            return s;
        // The body may already be here (it usually is for small requests).
        const Step b = parseBody();
        return b == Step::NeedMore ? Step::HeadReady : b;
    }
    case State::Body:
        return parseBody();
    }
    return Step::NeedMore;
}

RequestFramer::Step RequestFramer::parseHead()
{
    // The head is parsed line by line as it arrives; the parsed lines stay in the
    // buffer (from m_requestStart) until the request is taken, for a WebSocket upgrade.
    int blankLines = 0;
    for (;;) {
        const qsizetype nl = m_buffer.indexOf('\n', m_pos);
        const bool haveRequestLine = !m_request.method.isEmpty();
        if (nl < 0) {
            const qint64 pending = m_buffer.size() - m_pos;
            if (!haveRequestLine && pending > m_limits.maxRequestLineBytes)
                return fail(414, "The request line is longer than this server accepts.");
            if (haveRequestLine && m_headerBytes + pending > m_limits.maxHeaderBytes)
                return fail(431, "The request headers are larger than this server accepts.");
            return Step::NeedMore;
        }
        const qint64 lineBytes = nl - m_pos + 1;
        QByteArray line = m_buffer.mid(m_pos, nl - m_pos);
        if (line.endsWith('\r'))
            line.chop(1);
        if (line.contains('\r'))
            return fail(400, "A line of the request head holds a bare carriage return.");
        if (!haveRequestLine) {
            if (lineBytes > m_limits.maxRequestLineBytes + 2)
                return fail(414, "The request line is longer than this server accepts.");
            m_pos = nl + 1;
            if (line.isEmpty()) {
                // RFC 9112 2.2: blank lines before a request line are ignored (a few).
                if (++blankLines > maxLeadingBlankLines)
                    return fail(400, "The request does not start with a request line.");
                m_requestStart = m_pos;
                continue;
            }
            if (!parseRequestLine(line))
                return Step::Failed;
            m_headerBytes = 0;
            m_headerCount = 0;
            continue;
        }
        m_pos = nl + 1;
        if (line.isEmpty())
            return applyHeaders();
        m_headerBytes += lineBytes;
        if (m_headerBytes > m_limits.maxHeaderBytes)
            return fail(431, "The request headers are larger than this server accepts.");
        if (++m_headerCount > m_limits.maxHeaderCount)
            return fail(431, "The request has more header fields than this server accepts.");
        if (line.startsWith(' ') || line.startsWith('\t'))
            return fail(400, "Folded header lines are not accepted.");
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            return fail(400, "A header line has no field name.");
        const QByteArray name = line.left(colon);
        if (!isToken(name))
            return fail(400, "A header field name is not a token.");
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (!isFieldValue(value))
            return fail(400, "A header field value holds a control character.");
        m_request.headers.append({name.toLower(), value});
    }
}

bool RequestFramer::parseRequestLine(const QByteArray &line)
{
    const QList<QByteArray> parts = line.split(' ');
    if (parts.size() != 3) {
        fail(400, "The request line is not: method, one space, target, one space, version.");
        return false;
    }
    const QByteArray &method = parts.at(0);
    const QByteArray &target = parts.at(1);
    const QByteArray &version = parts.at(2);
    if (method.size() > maxMethodBytes || !isToken(method)) {
        fail(400, "The method is not a token.");
        return false;
    }
    if (!isTarget(target)) {
        fail(400, "The request target is not a path.");
        return false;
    }
    if (version == "HTTP/1.1") {
        m_request.minorVersion = 1;
    } else if (version == "HTTP/1.0") {
        m_request.minorVersion = 0;
    } else {
        const bool looksLikeHttp = version.size() == 8 && version.startsWith("HTTP/") && std::isdigit(static_cast<unsigned char>(version.at(5)))
                                   && version.at(6) == '.' && std::isdigit(static_cast<unsigned char>(version.at(7)));
        fail(looksLikeHttp ? 505 : 400, looksLikeHttp ? "Only HTTP/1.0 and HTTP/1.1 are served." : "The protocol version is malformed.");
        return false;
    }
    m_request.method = method;
    if (target.startsWith("http://") || target.startsWith("https://")) {
        // absolute-form: the path starts at the first slash after the authority.
        const qsizetype slash = target.indexOf('/', target.indexOf("//") + 2);
        m_request.target = slash < 0 ? QByteArray("/") : target.mid(slash);
    } else {
        m_request.target = target;
    }
    return true;
}

RequestFramer::Step RequestFramer::applyHeaders()
{
    FramedRequest &r = m_request;
    QByteArray length;
    bool hasLength = false;
    QList<QByteArray> transferCodings;
    QList<QByteArray> connection;
    int hosts = 0;
    for (const auto &h : std::as_const(r.headers)) {
        if (h.first == "content-length") {
            for (const QByteArray &part : h.second.split(',')) {
                const QByteArray v = part.trimmed();
                if (!isDigits(v))
                    return fail(400, "Content-Length is not a non-negative decimal number.");
                if (v.size() > maxLengthDigits)
                    return fail(413, "The declared body is larger than this server accepts.");
                if (hasLength && v.toLongLong() != length.toLongLong())
                    return fail(400, "The request declares conflicting Content-Length values.");
                length = v;
                hasLength = true;
            }
        } else if (h.first == "transfer-encoding") {
            transferCodings.append(commaTokens(h.second));
        } else if (h.first == "connection") {
            connection.append(commaTokens(h.second));
        } else if (h.first == "host") {
            ++hosts;
        }
    }
    if (hosts > 1)
        return fail(400, "The request has more than one Host field.");
    r.keepAlive = r.minorVersion == 1 && !connection.contains("close");
    const QByteArray upgrade = r.header("upgrade");
    r.webSocketUpgrade = r.method == "GET" && connection.contains("upgrade") && commaTokens(upgrade).contains("websocket");

    bool chunked = false;
    if (!transferCodings.isEmpty()) {
        if (r.minorVersion == 0)
            return fail(400, "Transfer-Encoding is not defined for HTTP/1.0.");
        if (hasLength)
            return fail(400, "The request has both Transfer-Encoding and Content-Length.");
        if (transferCodings.last() != "chunked")
            return fail(400, "The last transfer coding is not chunked.");
        if (transferCodings.size() != 1)
            return fail(501, "Only the chunked transfer coding is accepted.");
        chunked = true;
    }
    r.declaredLength = hasLength ? length.toLongLong() : 0;
    if (r.declaredLength > m_limits.maxBodyBytes)
        return fail(413, "The declared body is larger than this server accepts.");

    const bool bodyToCome = chunked || r.declaredLength > 0;
    const QByteArray expect = r.header("expect");
    if (!expect.isEmpty()) {
        if (expect.compare("100-continue", Qt::CaseInsensitive) != 0)
            return fail(417, "Only Expect: 100-continue is understood.");
        r.expectsContinue = r.minorVersion == 1 && bodyToCome;
    }
    m_trailerBytes = 0;
    if (chunked) {
        m_bodyMode = BodyMode::ChunkSize;
        m_state = State::Body;
        return Step::HeadReady;
    }
    if (r.declaredLength > 0) {
        m_bodyMode = BodyMode::Length;
        m_remaining = r.declaredLength;
        m_state = State::Body;
        return Step::HeadReady;
    }
    m_state = State::Complete;
    return Step::Complete;
}

RequestFramer::Step RequestFramer::parseBody()
{
    if (m_state == State::Complete)
        return Step::Complete;
    for (;;) {
        switch (m_bodyMode) {
        case BodyMode::Length:
        case BodyMode::ChunkData: {
            const qint64 take = qMin<qint64>(m_remaining, m_buffer.size() - m_pos);
            if (take > 0) {
                m_request.body.append(m_buffer.constData() + m_pos, take);
                m_pos += take;
                m_remaining -= take;
            }
            if (m_pos > 65536)
                compact();
            if (m_remaining > 0)
                return Step::NeedMore;
            if (m_bodyMode == BodyMode::Length) {
                m_state = State::Complete;
                return Step::Complete;
            }
            m_bodyMode = BodyMode::ChunkDataEnd;
            break;
        }
        case BodyMode::ChunkDataEnd: {
            if (m_pos >= m_buffer.size())
                return Step::NeedMore;
            if (m_buffer.at(m_pos) == '\n') {
                m_pos += 1;
            } else if (m_buffer.at(m_pos) == '\r') {
                if (m_pos + 1 >= m_buffer.size())
                    return Step::NeedMore;
                if (m_buffer.at(m_pos + 1) != '\n')
                    return fail(400, "A chunk is not followed by a line end.");
                m_pos += 2;
            } else {
                return fail(400, "A chunk is longer than its declared size.");
            }
            m_bodyMode = BodyMode::ChunkSize;
            break;
        }
        case BodyMode::ChunkSize: {
            const qsizetype nl = m_buffer.indexOf('\n', m_pos);
            if (nl < 0) {
                if (m_buffer.size() - m_pos > maxChunkLineBytes)
                    return fail(400, "A chunk size line is too long.");
                return Step::NeedMore;
            }
            if (nl - m_pos > maxChunkLineBytes)
                return fail(400, "A chunk size line is too long.");
            QByteArray line = m_buffer.mid(m_pos, nl - m_pos);
            m_pos = nl + 1;
            if (line.endsWith('\r'))
                line.chop(1);
            const qsizetype semicolon = line.indexOf(';');
            const QByteArray hex = (semicolon >= 0 ? line.left(semicolon) : line).trimmed();
            bool ok = !hex.isEmpty() && hex.size() <= 15;
            for (char c : hex)
                ok = ok && std::isxdigit(static_cast<unsigned char>(c));
            if (!ok)
                return fail(400, "A chunk size is not a hexadecimal number.");
            const qint64 size = hex.toLongLong(nullptr, 16);
            if (size == 0) {
                m_bodyMode = BodyMode::Trailers;
                break;
            }
            if (m_request.body.size() + size > m_limits.maxBodyBytes)
                return fail(413, "The body is larger than this server accepts.");
            m_remaining = size;
            m_bodyMode = BodyMode::ChunkData;
            break;
        }
        case BodyMode::Trailers: {
            const qsizetype nl = m_buffer.indexOf('\n', m_pos);
            if (nl < 0) {
                if (m_trailerBytes + (m_buffer.size() - m_pos) > m_limits.maxHeaderBytes)
                    return fail(431, "The trailer fields are larger than this server accepts.");
                return Step::NeedMore;
            }
            const qint64 lineBytes = nl - m_pos + 1;
            const bool blank = lineBytes == 1 || (lineBytes == 2 && m_buffer.at(m_pos) == '\r');
            m_pos = nl + 1;
            if (blank) {
                m_state = State::Complete;
                return Step::Complete;
            }
            m_trailerBytes += lineBytes;
            if (m_trailerBytes > m_limits.maxHeaderBytes)
                return fail(431, "The trailer fields are larger than this server accepts.");
            break; // trailers are read and ignored
        }
        }
    }
}
