#include "workload.h"

#include <cstdlib>

std::string httpRequest(std::string_view method, std::string_view path, std::string_view extraHeaders, std::string_view jsonBody)
{
    std::string r;
    r.reserve(128 + path.size() + extraHeaders.size() + jsonBody.size());
    r.append(method).append(" ").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    r.append(extraHeaders);
    if (!jsonBody.empty() || method == "POST" || method == "PUT") {
        r.append("Content-Type: application/json\r\nContent-Length: ").append(std::to_string(jsonBody.size())).append("\r\n");
    }
    r.append("\r\n").append(jsonBody);
    return r;
}

namespace {

size_t valueStart(std::string_view body, std::string_view key)
{
    std::string pattern;
    pattern.reserve(key.size() + 3);
    pattern.append("\"").append(key).append("\":");
    const size_t at = body.find(pattern);
    if (at == std::string_view::npos)
        return std::string_view::npos;
    size_t i = at + pattern.size();
    while (i < body.size() && body[i] == ' ')
        ++i;
    return i;
}

} // namespace

std::string_view jsonString(std::string_view body, std::string_view key)
{
    const size_t i = valueStart(body, key);
    if (i == std::string_view::npos || i >= body.size() || body[i] != '"')
        return {};
    const size_t end = body.find('"', i + 1);
    if (end == std::string_view::npos)
        return {};
    return body.substr(i + 1, end - i - 1);
}

qint64 jsonInteger(std::string_view body, std::string_view key)
{
    const size_t i = valueStart(body, key);
    if (i == std::string_view::npos || i >= body.size() || body[i] < '0' || body[i] > '9')
        return -1;
    qint64 v = 0;
    for (size_t k = i; k < body.size() && k < i + 18 && body[k] >= '0' && body[k] <= '9'; ++k)
        v = v * 10 + (body[k] - '0');
    return v;
}
