#include "httpwire.h"

namespace HttpWire {

const char *reasonPhrase(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 422: return "Unprocessable Content";
    case 423: return "Locked";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return status < 400 ? "OK" : status < 500 ? "Bad Request" : "Internal Server Error";
    }
}

namespace {

void appendHeader(QByteArray &out, const QByteArray &name, const QByteArray &value)
{
    out.append(name).append(": ").append(value).append("\r\n");
}

} // namespace

QByteArray encode(const HttpResponse &response, const Options &options)
{
    const bool noBody = options.headRequest || response.status == 204 || response.status == 304 || response.status < 200;
    QByteArray out;
    out.reserve(256 + (noBody ? 0 : response.body.size()));
    out.append("HTTP/1.1 ").append(QByteArray::number(response.status)).append(' ').append(reasonPhrase(response.status)).append("\r\n");
    if (!response.contentType.isEmpty())
        appendHeader(out, "Content-Type", response.contentType);
    // HEAD answers the length the GET would have; 204 and 304 say nothing of a body.
    if (response.status != 204 && response.status != 304)
        appendHeader(out, "Content-Length", QByteArray::number(noBody && !options.headRequest ? 0 : response.body.size()));
    for (const auto &h : options.extraHeaders)
        appendHeader(out, h.first, h.second);
    bool haveNosniff = false;
    bool haveReferrer = false;
    for (const auto &h : response.headers) {
        appendHeader(out, h.first, h.second);
        haveNosniff = haveNosniff || h.first.compare("X-Content-Type-Options", Qt::CaseInsensitive) == 0;
        haveReferrer = haveReferrer || h.first.compare("Referrer-Policy", Qt::CaseInsensitive) == 0;
    }
    if (!haveNosniff)
        appendHeader(out, "X-Content-Type-Options", "nosniff");
    if (!haveReferrer)
        appendHeader(out, "Referrer-Policy", "no-referrer");
    if (options.close)
        appendHeader(out, "Connection", "close");
    out.append("\r\n");
    if (!noBody)
        out.append(response.body);
    return out;
}

QByteArray refusal(int status, const char *type, const char *title, const char *detail)
{
    HttpResponse problem = HttpResponse::problem(status, QString::fromLatin1(type), QString::fromLatin1(title), QString::fromLatin1(detail));
    if (status == 503 || status == 429)
        problem.withHeader("Retry-After", "1");
    Options options;
    options.close = true;
    return encode(problem, options);
}

} // namespace HttpWire
