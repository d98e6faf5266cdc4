// JSON bodies into the typed request checks the endpoints run before any work:
// POST /sales/{id}/purchase (PurchaseRequest), POST /users (RegistrationRequest) and
// POST /sales (SaleRequest). The first byte picks the endpoint (and the sale's per-shopper
// limit), the rest is the body. An accepted request must hold every rule the handler
// relies on; a refused one must be answered with a problem document.
#include "accounts/accountrules.h"
#include "accounts/registrationrequest.h"
#include "fuzzcheck.h"
#include "http/httprequest.h"
#include "http/httpresponse.h"
#include "sales/purchaserequest.h"
#include "sales/salerequest.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cstdint>

namespace {

constexpr qint64 nowMs = 1796126400000; // 2026-12-01T12:00:00Z

void checkProblem(const HttpResponse &problem, std::initializer_list<int> statuses)
{
    FUZZ_CHECK(std::find(statuses.begin(), statuses.end(), problem.status) != statuses.end());
    FUZZ_CHECK(problem.contentType == "application/problem+json");
    const QJsonObject o = QJsonDocument::fromJson(problem.body).object();
    FUZZ_CHECK(o.value(QStringLiteral("status")).toInt() == problem.status);
    FUZZ_CHECK(!o.value(QStringLiteral("type")).toString().isEmpty());
}

void purchase(const HttpRequest &request, int perUserLimit)
{
    HttpResponse problem;
    const auto p = PurchaseRequest::read(request, perUserLimit, &problem);
    if (!p) {
        checkProblem(problem, {400});
        return;
    }
    FUZZ_CHECK(isValidIdempotencyKey(p->idempotencyKey));
    FUZZ_CHECK(p->quantity >= 1 && p->quantity <= perUserLimit);
}

void registration(const HttpRequest &request)
{
    HttpResponse problem;
    const auto r = RegistrationRequest::read(request, &problem);
    if (!r) {
        checkProblem(problem, {400, 422});
        return;
    }
    FUZZ_CHECK(r->email == AccountRules::normalizeEmail(r->email));
    FUZZ_CHECK(AccountRules::checkEmail(r->email).isEmpty());
    FUZZ_CHECK(AccountRules::checkPassword(r->password).isEmpty());
    FUZZ_CHECK(AccountRules::checkName(r->name).isEmpty() && r->name == r->name.trimmed());
}

void sale(const HttpRequest &request)
{
    HttpResponse problem;
    const auto t = SaleRequest::read(request, nowMs, [](qint64 id) { return id <= 1000; }, &problem);
    if (!t) {
        checkProblem(problem, {400, 422});
        return;
    }
    FUZZ_CHECK(!t->name.isEmpty() && t->name.size() <= 200);
    FUZZ_CHECK(t->productId >= 1 && t->productId <= 1000);
    FUZZ_CHECK(t->salePriceCents > 0 && t->salePriceCents <= 100000000000LL);
    FUZZ_CHECK(t->quantity >= 1 && t->quantity <= 10000000);
    FUZZ_CHECK(t->perUserLimit >= 1 && t->perUserLimit <= 1000);
    FUZZ_CHECK(t->startMs < t->endMs && t->endMs > nowMs);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    HttpRequest request;
    request.method = "POST";
    request.headers.insert("content-type", "application/json");
    request.headers.insert("idempotency-key", "order-7f3a");
    request.body = QByteArray(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    switch (data[0] % 3) {
    case 0:
        purchase(request, 1 + data[0] / 3 % 10);
        break;
    case 1:
        registration(request);
        break;
    default:
        sale(request);
        break;
    }
    return 0;
}
