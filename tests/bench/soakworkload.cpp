#include "soakworkload.h"

#include "runmetrics.h"

#include <QDateTime>

namespace {

constexpr qint64 ms = 1000000;

std::string text(std::string_view v)
{
    return std::string(v);
}

QString latin1(std::string_view v)
{
    return QString::fromLatin1(v.data(), qsizetype(v.size()));
}

bool problemIs(std::string_view body, std::string_view type)
{
    const std::string_view t = jsonString(body, "type");
    return t.size() >= type.size() && t.substr(t.size() - type.size()) == type;
}

} // namespace

SoakWorkload::SoakWorkload(RunMetrics &metrics, const Crowd &crowd, const std::string &adminAuthorization, Settings settings, qint64 startNs)
    : m_crowd(crowd)
    , m_admin(adminAuthorization)
    , m_s(settings)
    , m_shoppers(crowd.authorization.size())
    , m_random(quint32(quint64(startNs) ^ (quint64(startNs) >> 32)))
{
    const std::pair<Kind, const char *> names[] = {
        {List, "GET /sales"},
        {Look, "GET /sales/{id}"},
        {Join, "POST /sales/{id}/queue"},
        {Poll, "GET /sales/{id}/queue/{ticket}"},
        {Buy, "POST /sales/{id}/purchase"},
        {Check, "GET /orders/{id}"},
        {CreateProduct, "POST /products"},
        {CreateSale, "POST /sales"},
        {Refund, "POST /orders/{id}/refund"},
    };
    for (const auto &[kind, name] : names)
        m_endpoints[kind] = metrics.endpoint(QString::fromLatin1(name));
    // The crowd arrives over the first think time, not all in the first millisecond.
    for (qint64 i = 0; i < qint64(m_shoppers.size()); ++i) {
        if (!crowd.authorization[size_t(i)].empty())
            schedule(i, List, startNs + (i * qint64(m_s.thinkMs) * ms) / qint64(m_shoppers.size()));
    }
}

void SoakWorkload::schedule(qint64 shopper, int kind, qint64 atNs)
{
    Shopper &s = m_shoppers[size_t(shopper)];
    s.kind = kind;
    m_due.emplace(atNs, shopper);
}

void SoakWorkload::think(qint64 shopper, qint64 nowNs)
{
    const double share = 0.5 + m_random.generateDouble(); // a pause of 0.5 to 1.5 think times
    Shopper &s = m_shoppers[size_t(shopper)];
    s.attempts = 0;
    s.ticket = 0;
    s.admissionToken.clear();
    schedule(shopper, List, nowNs + qint64(share * m_s.thinkMs * double(ms)));
}

void SoakWorkload::retry(qint64 shopper, qint64 nowNs)
{
    Shopper &s = m_shoppers[size_t(shopper)];
    if (++s.attempts > 5) {
        ++m_givenUp;
        think(shopper, nowNs);
        return;
    }
    schedule(shopper, s.kind, nowNs + 1000 * ms);
}

void SoakWorkload::strange(const Outgoing &request, const Answer &answer)
{
    ++m_unexpected;
    if (m_unexpectedSamples.size() < 10)
        m_unexpectedSamples << QStringLiteral("kind %1: %2 %3").arg(request.kind).arg(answer.status).arg(latin1(answer.body.substr(0, 200)));
}

qint64 SoakWorkload::oldestOpenSale(qint64 after, qint64 nowNs) const
{
    // The oldest sale the shopper has not been to that can still sell: shoppers go
    // through the sales in order, so each one sells out in turn.
    for (qint64 i = after + 1; i < qint64(m_sales.size()); ++i) {
        const Sale &sale = m_sales[size_t(i)];
        if (!sale.soldOut && !sale.stalled && sale.endsNs - 5000 * ms > nowNs)
            return i;
    }
    return -1;
}

qint64 SoakWorkload::sellableSales(qint64 nowNs) const
{
    qint64 n = 0;
    for (const Sale &sale : m_sales)
        n += !sale.soldOut && !sale.stalled && sale.endsNs - 5000 * ms > nowNs ? 1 : 0;
    return n;
}

bool SoakWorkload::adminNext(qint64 nowNs, Outgoing &out)
{
    out.tag = -1;
    if (!m_creating && nowNs >= m_adminRetryNs && sellableSales(nowNs) < m_s.openSales) {
        m_creating = true;
        out.kind = CreateProduct;
        out.endpoint = m_endpoints[CreateProduct];
        out.bytes = httpRequest("POST", "/products", m_admin,
                                "{\"name\":\"Soak product " + std::to_string(m_sales.size() + 1) + "\",\"regularPrice\":999,\"stock\":"
                                    + std::to_string(m_s.unitsPerSale) + "}");
        return true;
    }
    if (m_creating && m_productId > 0) {
        const QDateTime start = QDateTime::currentDateTimeUtc().addMSecs(-1000);
        const QByteArray from = start.toString(Qt::ISODateWithMs).toLatin1();
        const QByteArray to = start.addSecs(m_s.saleSeconds).toString(Qt::ISODateWithMs).toLatin1();
        out.kind = CreateSale;
        out.endpoint = m_endpoints[CreateSale];
        out.bytes = httpRequest("POST", "/sales", m_admin,
                                "{\"name\":\"Soak sale " + std::to_string(m_sales.size() + 1) + "\",\"productId\":" + std::to_string(m_productId)
                                    + ",\"salePrice\":499.5,\"quantity\":" + std::to_string(m_s.unitsPerSale) + ",\"perUserLimit\":"
                                    + std::to_string(m_s.perUserLimit) + ",\"startTime\":\"" + from.toStdString() + "\",\"endTime\":\""
                                    + to.toStdString() + "\"}");
        m_productId = -m_productId; // in flight
        return true;
    }
    if (!m_refunds.empty() && m_refunds.front().dueNs <= nowNs) {
        PendingRefund r = m_refunds.front();
        m_refunds.pop_front();
        out.kind = Refund;
        out.tag = r.attempts;
        out.endpoint = m_endpoints[Refund];
        out.bytes = httpRequest("POST", "/orders/" + r.orderId + "/refund", m_admin);
        return true;
    }
    return false;
}

bool SoakWorkload::next(qint64 nowNs, Outgoing &out)
{
    if (adminNext(nowNs, out))
        return true;
    qint64 i = -1;
    for (int guard = 0; guard < 10000 && i < 0; ++guard) {
        if (m_due.empty() || m_due.top().first > nowNs)
            return false;
        i = m_due.top().second;
        m_due.pop();
        Shopper &s = m_shoppers[size_t(i)];
        if (s.kind != Look)
            break;
        s.sale = oldestOpenSale(s.lastSale, nowNs);
        if (s.sale < 0) { // been to every sale that can still sell: browse again later
            think(i, nowNs);
            i = -1;
            continue;
        }
        s.lastSale = s.sale;
    }
    if (i < 0)
        return false;
    Shopper &s = m_shoppers[size_t(i)];
    out.tag = i;
    out.kind = s.kind;
    out.endpoint = m_endpoints[s.kind];
    const std::string &auth = m_crowd.authorization[size_t(i)];
    const std::string salePath = s.sale >= 0 ? "/sales/" + std::to_string(m_sales[size_t(s.sale)].id) : std::string();
    switch (s.kind) {
    case List:
        out.bytes = httpRequest("GET", "/sales");
        break;
    case Look:
        out.bytes = httpRequest("GET", salePath);
        break;
    case Join:
        out.bytes = httpRequest("POST", salePath + "/queue", auth);
        break;
    case Poll:
        out.bytes = httpRequest("GET", salePath + "/queue/" + std::to_string(s.ticket), auth);
        break;
    case Buy: {
        // One key per shopper and sale: a retry after a 503 or a lost answer is the same purchase.
        const qint64 quantity = 1 + (i + s.sale) % m_s.perUserLimit;
        out.bytes = httpRequest("POST", salePath + "/purchase",
                                auth + "Idempotency-Key: soak-" + std::to_string(i) + "-" + std::to_string(m_sales[size_t(s.sale)].id)
                                    + "\r\nAdmission-Token: " + s.admissionToken + "\r\n",
                                "{\"quantity\":" + std::to_string(quantity) + "}");
        break;
    }
    case Check:
        out.bytes = httpRequest("GET", "/orders/" + s.orderId, auth);
        break;
    default:
        return false;
    }
    return true;
}

void SoakWorkload::answered(const Outgoing &request, const Answer &answer, qint64 nowNs)
{
    if (request.kind >= CreateProduct)
        adminAnswered(request, answer, nowNs);
    else
        shopperAnswered(request, answer, nowNs);
}

void SoakWorkload::adminAnswered(const Outgoing &request, const Answer &answer, qint64 nowNs)
{
    switch (request.kind) {
    case CreateProduct:
        if (answer.status == 201) {
            m_productId = jsonInteger(answer.body, "productId");
        } else {
            ++m_adminFailures;
            m_creating = false;
            m_adminRetryNs = nowNs + 1000 * ms;
        }
        return;
    case CreateSale: {
        m_productId = 0;
        m_creating = false;
        const qint64 id = answer.status == 201 ? jsonInteger(answer.body, "saleId") : -1;
        if (id <= 0) {
            ++m_adminFailures;
            m_adminRetryNs = nowNs + 1000 * ms;
            return;
        }
        Sale sale;
        sale.id = id;
        sale.endsNs = nowNs + m_s.saleSeconds * 1000 * ms;
        m_sales.push_back(std::move(sale));
        return;
    }
    case Refund: {
        const std::string_view path(request.bytes);
        const size_t from = path.find("/orders/") + 8;
        const std::string orderId = text(path.substr(from, path.find("/refund") - from));
        if (answer.status == 200) {
            m_refunded.insert(QString::fromStdString(orderId));
            return;
        }
        const bool pending = answer.status == 409 && answer.body.find("Pending") != std::string_view::npos;
        if (answer.status == 409 && !pending) {
            ++m_refundsRefused; // the order ended Failed or Expired: nothing to refund
            return;
        }
        if (pending || answer.status == 503 || answer.status == 0) {
            if (request.tag < 60)
                m_refunds.push_back({nowNs + 1000 * ms, orderId, int(request.tag) + 1});
            else
                ++m_givenUp;
            return;
        }
        strange(request, answer);
        return;
    }
    default:
        return;
    }
}

void SoakWorkload::shopperAnswered(const Outgoing &request, const Answer &answer, qint64 nowNs)
{
    const qint64 i = request.tag;
    Shopper &s = m_shoppers[size_t(i)];
    Sale *sale = s.sale >= 0 ? &m_sales[size_t(s.sale)] : nullptr;
    const int status = answer.status;
    if (status == 0 && request.kind == Buy)
        ++m_lostPurchaseAnswers;
    if (status == 0 || status == 429 || status >= 500) {
        retry(i, nowNs);
        return;
    }
    switch (request.kind) {
    case List:
        if (status != 200)
            strange(request, answer);
        schedule(i, Look, nowNs);
        return;
    case Look:
        if (status != 200)
            strange(request, answer);
        s.attempts = 0;
        schedule(i, Join, nowNs);
        return;
    case Join:
        if (status == 200 || status == 201) {
            s.ticket = jsonInteger(answer.body, "ticket");
            s.ahead = -1;
            s.movedAtNs = nowNs;
            s.attempts = 0;
            const std::string_view token = jsonString(answer.body, "admissionToken");
            if (!token.empty()) {
                s.admissionToken = text(token);
                schedule(i, Buy, nowNs);
            } else {
                schedule(i, Poll, nowNs + qint64(m_s.pollMs) * ms);
            }
            return;
        }
        if (status == 409 && problemIs(answer.body, "sold-out"))
            sale->soldOut = true;
        else if (status != 403 && status != 409)
            strange(request, answer);
        think(i, nowNs);
        return;
    case Poll: {
        if (status != 200) {
            strange(request, answer);
            think(i, nowNs);
            return;
        }
        const std::string_view state = jsonString(answer.body, "status");
        const qint64 ahead = jsonInteger(answer.body, "ahead");
        if (s.ahead < 0 || ahead < s.ahead)
            s.movedAtNs = nowNs;
        s.ahead = ahead;
        if (state == "admitted") {
            s.admissionToken = text(jsonString(answer.body, "admissionToken"));
            schedule(i, Buy, nowNs);
        } else if (state == "waiting" && nowNs - s.movedAtNs >= qint64(m_s.patienceSeconds) * 1000 * ms) {
            // A queue that has not moved for a minute (say, the last unit is held back by
            // the overbooking rule): the shopper leaves, and the generator stops counting
            // the sale as one that sells, so it opens another and the load stays steady.
            ++m_walkedAway;
            sale->stalled = true;
            think(i, nowNs);
        } else if (state == "waiting") {
            schedule(i, Poll, nowNs + qint64(m_s.pollMs) * ms);
        } else {
            if (state == "soldOut")
                sale->soldOut = true;
            think(i, nowNs); // sold out, closed or expired
        }
        return;
    }
    case Buy:
        if (status == 202) {
            const std::string_view id = jsonString(answer.body, "orderId");
            const QString orderId = latin1(id);
            if (!sale->acceptedOrders.contains(orderId)) {
                sale->acceptedOrders.insert(orderId);
                ++sale->accepted;
                ++m_acceptedCount;
                if (m_acceptedCount % m_s.refundEvery == 0)
                    m_refunds.push_back({nowNs + 500 * ms, text(id), 0});
            }
            s.orderId = text(id);
            s.attempts = 0;
            schedule(i, Check, nowNs + 500 * ms);
            return;
        }
        if (status == 409 && (problemIs(answer.body, "sold-out") || problemIs(answer.body, "insufficient-stock")))
            sale->soldOut = sale->soldOut || problemIs(answer.body, "sold-out");
        else if (status != 403)
            strange(request, answer); // 400, 409 purchase-limit, 422: the bench sent something wrong
        think(i, nowNs);
        return;
    case Check:
        if (status != 200)
            strange(request, answer);
        think(i, nowNs);
        return;
    default:
        return;
    }
}

void SoakWorkload::eachSecond(qint64 second, RunMetrics &metrics)
{
    metrics.setGauge(second, QStringLiteral("orders accepted"), double(m_acceptedCount));
    metrics.setGauge(second, QStringLiteral("orders refunded"), double(m_refunded.size()));
    metrics.setGauge(second, QStringLiteral("sales created"), double(m_sales.size()));
    if (onSecond)
        onSecond(second, metrics);
}

QString SoakWorkload::progress() const
{
    return QStringLiteral("sales %1  accepted %2  refunded %3  unexpected %4").arg(m_sales.size()).arg(m_acceptedCount).arg(m_refunded.size()).arg(m_unexpected);
}
