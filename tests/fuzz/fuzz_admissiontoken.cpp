// Admission tokens (server/waitingroom/admissiontoken.cpp, signedtext.cpp), opened with
// a fixed key as the purchase path opens the Admission-Token header. The first byte picks:
//   0: the token as a client sends it;
//   1: a payload sealed with the server's key (SignedText::seal), so that the fields
//      behind a valid signature are parsed too.
// Whatever opens must seal again into a token that opens to the same fields.
#include "fuzzcheck.h"
#include "waitingroom/admissiontoken.h"
#include "waitingroom/signedtext.h"

#include <cstdint>

namespace {

constexpr qint64 nowMs = 1796126400000; // 2026-12-01T12:00:00Z
const QByteArray key(32, 'w');

void check(const QByteArray &token)
{
    AdmissionToken t;
    const bool opened = AdmissionToken::open(key, token, &t);
    const QString refusal = AdmissionToken::refusal(key, token, 7, 42, nowMs);
    if (!opened) {
        FUZZ_CHECK(!refusal.isEmpty());
        return;
    }
    FUZZ_CHECK(refusal.isEmpty() == (t.saleId == 7 && t.userId == 42 && t.expiresAtMs > nowMs));
    AdmissionToken again;
    FUZZ_CHECK(AdmissionToken::open(key, t.seal(key), &again));
    FUZZ_CHECK(again.saleId == t.saleId && again.userId == t.userId && again.ticket == t.ticket
               && again.expiresAtMs == t.expiresAtMs);
    AdmissionToken forged;
    FUZZ_CHECK(!AdmissionToken::open(QByteArray(32, 'x'), token, &forged));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const QByteArray rest(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    if (data[0] % 2 == 0) {
        check(rest);
    } else {
        const QByteArray sealed = SignedText::seal(key, rest);
        QByteArray payload;
        const bool opens = SignedText::open(key, sealed, &payload);
        // Any payload sealed by the server opens again, unless it is empty or too long (1 KiB sealed).
        FUZZ_CHECK(opens == (!rest.isEmpty() && sealed.size() <= 1024));
        FUZZ_CHECK(!opens || payload == rest);
        check(sealed);
    }
    return 0;
}
