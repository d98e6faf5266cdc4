// The HTTP/1.1 request framer (server/http/requestframer.cpp): the first code any
// client's bytes reach. The input is a byte stream fed the way HttpConnection feeds it:
// at most room() bytes at a time, in pieces whose size the first byte chooses, with the
// server's default limits or small ones (the second byte) so that short inputs reach them.
#include "fuzzcheck.h"
#include "http/requestframer.h"

#include <QSet>

#include <cstdint>

namespace {

RequestLimits limitsFor(uint8_t choice)
{
    RequestLimits limits; // the defaults of resources/config/flashsale.ini
    if (choice & 1) {
        limits.maxRequestLineBytes = 64;
        limits.maxHeaderBytes = 256;
        limits.maxHeaderCount = 8;
        limits.maxBodyBytes = 128;
    }
    return limits;
}

// Each request the framer hands over must be one the handlers can trust.
void checkRequest(const FramedRequest &r, const RequestLimits &limits)
{
    FUZZ_CHECK(!r.method.isEmpty() && r.method.size() <= 32);
    FUZZ_CHECK(r.target.startsWith('/') || r.target == "*");
    FUZZ_CHECK(r.minorVersion == 0 || r.minorVersion == 1);
    FUZZ_CHECK(r.headers.size() <= limits.maxHeaderCount);
    FUZZ_CHECK(r.body.size() <= limits.maxBodyBytes);
    FUZZ_CHECK(r.declaredLength == 0 || r.body.size() == r.declaredLength);
    FUZZ_CHECK(!(r.minorVersion == 0 && r.keepAlive));
    for (const auto &h : r.headers) {
        FUZZ_CHECK(!h.first.isEmpty() && h.first == h.first.toLower());
        FUZZ_CHECK(!h.second.contains('\r') && !h.second.contains('\n') && !h.second.contains('\0'));
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const int piece = 1 + data[0] % 64;
    const RequestLimits limits = limitsFor(data[1]);
    const QByteArray stream(reinterpret_cast<const char *>(data + 2), qsizetype(size - 2));
    static const QSet<int> refusals = {400, 413, 414, 417, 431, 501, 505};

    RequestFramer framer(limits);
    qsizetype fed = 0;
    for (int steps = 0; steps < 100000; ++steps) {
        const qint64 room = framer.room();
        FUZZ_CHECK(room >= 0);
        if (room > 0 && fed < stream.size()) {
            const qsizetype n = qMin<qsizetype>(qMin<qsizetype>(piece, room), stream.size() - fed);
            framer.append(stream.mid(fed, n));
            fed += n;
        }
        const RequestFramer::Step step = framer.advance();
        if (step == RequestFramer::Step::Failed) {
            FUZZ_CHECK(refusals.contains(framer.errorStatus()));
            return 0;
        }
        if (step == RequestFramer::Step::NeedMore || step == RequestFramer::Step::HeadReady) {
            // Waiting for bytes with no room to take them would stall the connection
            // until its timeout.
            FUZZ_CHECK(framer.room() > 0);
            if (fed >= stream.size())
                return 0;
            continue;
        }
        checkRequest(framer.request(), limits);
        if (framer.request().webSocketUpgrade)
            return 0; // handed to the WebSocket handshake
        const FramedRequest request = framer.take();
        if (!request.keepAlive)
            return 0; // the connection reads no further
    }
    FUZZ_CHECK(false); // the framer must not spin
    return 0;
}
