#include "ticketstatus.h"

#include "core/timeutil.h"

#include <charconv>

namespace {

void appendNumber(QByteArray &out, qint64 value)
{
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    out.append(digits, end - digits);
}

void appendTime(QByteArray &out, qint64 ms)
{
    out.append('"');
    appendIsoUtc(out, ms);
    out.append('"');
}

const char *boolean(bool value)
{
    return value ? "true" : "false";
}

} // namespace

QByteArray TicketStatus::toJson() const
{
    QByteArray out;
    out.reserve(320 + admissionToken.size());
    out.append("{\"admissionExpiresAt\":");
    if (admissionToken.isEmpty())
        out.append("null");
    else
        appendTime(out, admissionExpiresAtMs);
    out.append(",\"admissionToken\":");
    if (admissionToken.isEmpty())
        out.append("null");
    else
        out.append('"').append(admissionToken).append('"');
    out.append(",\"admitted\":").append(boolean(admitted));
    out.append(",\"ahead\":");
    appendNumber(out, ahead);
    out.append(",\"estimatedWaitSeconds\":");
    if (estimatedWaitSeconds < 0)
        out.append("null");
    else
        appendNumber(out, estimatedWaitSeconds);
    out.append(",\"paused\":").append(boolean(paused));
    out.append(",\"position\":");
    appendNumber(out, position);
    out.append(",\"queueLength\":");
    appendNumber(out, queueLength);
    out.append(",\"saleId\":");
    appendNumber(out, saleId);
    out.append(",\"saleStartsAt\":");
    appendTime(out, saleStartsAtMs);
    out.append(",\"serverTime\":");
    appendTime(out, serverTimeMs);
    out.append(",\"status\":\"").append(status).append('"');
    out.append(",\"ticket\":");
    appendNumber(out, ticket);
    out.append('}');
    return out;
}
