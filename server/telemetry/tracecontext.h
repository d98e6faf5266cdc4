#pragma once

#include <QByteArray>

// W3C Trace Context: the trace id a request arrived with (or a new one), and this
// server's span id for it. `traceparent()` is what we pass on and answer with.
struct TraceContext
{
    QByteArray traceId; // 32 lowercase hex
    QByteArray spanId;  // 16 lowercase hex
    QByteArray flags = "01";

    static TraceContext fromHeader(const QByteArray &traceparent);
    QByteArray traceparent() const;
};
