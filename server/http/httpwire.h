#pragma once

#include "httpresponse.h"

#include <QByteArray>

// How an answer looks on the wire (HTTP/1.1), for the connection and the acceptor alike.
// Every answer carries the security headers (docs/security.md) unless a handler set its own.
namespace HttpWire {

struct Options
{
    bool headRequest = false; // HEAD: the headers of the GET, no body
    bool close = false;       // Connection: close, and the connection ends after it
    QList<QPair<QByteArray, QByteArray>> extraHeaders;
};

QByteArray encode(const HttpResponse &response, const Options &options);
// A problem answer the server gives on its own (framing errors, limits), with Connection: close.
QByteArray refusal(int status, const char *type, const char *title, const char *detail);
const char *reasonPhrase(int status);

} // namespace HttpWire
