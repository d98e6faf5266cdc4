#pragma once

#include "httprequest.h"
#include "httpresponse.h"

// The API's machine-readable contract: the OpenAPI 3.1 document resources/api/openapi.json,
// compiled in as :/api/openapi.json and served at GET /openapi.json. Read once, then
// answered from memory with an ETag (304 on If-None-Match) and a minute of caching.
HttpResponse apiDocument(const HttpRequest &request);
