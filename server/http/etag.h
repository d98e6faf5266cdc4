#pragma once

#include "httprequest.h"
#include "httpresponse.h"

// Strong ETag of a body, and the conditional GET: 304 without a body when the client's
// If-None-Match already names it.
QByteArray etagOf(const QByteArray &body);
HttpResponse withETag(const HttpRequest &request, HttpResponse response, const QByteArray &cacheControl);
