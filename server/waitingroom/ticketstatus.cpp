#include "ticketstatus.h"

#include "core/jsonwriter.h"

QByteArray TicketStatus::toJson() const
{
    JsonObjectWriter out(320 + admissionToken.size());
    if (admissionToken.isEmpty())
        out.null("admissionExpiresAt").null("admissionToken");
    else
        out.isoTime("admissionExpiresAt", admissionExpiresAtMs).latin1("admissionToken", admissionToken.constData());
    out.boolean("admitted", admitted).number("ahead", ahead);
    if (estimatedWaitSeconds < 0)
        out.null("estimatedWaitSeconds");
    else
        out.number("estimatedWaitSeconds", estimatedWaitSeconds);
    return out.boolean("paused", paused)
        .number("position", position)
        .number("queueLength", queueLength)
        .number("saleId", saleId)
        .isoTime("saleStartsAt", saleStartsAtMs)
        .isoTime("serverTime", serverTimeMs)
        .latin1("status", status)
        .number("ticket", ticket)
        .finish();
}
