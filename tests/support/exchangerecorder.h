#pragma once

#include <QByteArray>
#include <QUrl>

// Keeps a record of the answers the tests' HttpClient gets, for the OpenAPI contract test
// (tests/contract): when FLASHSALE_API_RECORD_DIR is set, every answer is appended as one
// JSON line {method, path, query, status, contentType, body, bodyLength} to
// <dir>/<application name>.jsonl. The file is truncated by the first answer of the
// process, so it holds this run only. Thread-safe; does nothing when the variable is unset.
namespace ExchangeRecorder {

bool isEnabled();
void record(const QByteArray &method, const QUrl &url, int status, const QByteArray &contentType, const QByteArray &body);

} // namespace ExchangeRecorder
