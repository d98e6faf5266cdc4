#include "saledashboard.h"

#include "client/serverclient.h"
#include "discrepancyalarm.h"
#include "metricsdelta.h"
#include "orderstatechart.h"
#include "sales/salestablemodel.h"
#include "timeserieschart.h"
#include "widgets/errorstyle.h"

#include <QDir>
#include <QGridLayout>
#include <QLabel>
#include <QLocale>
#include <QTime>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

using namespace std::chrono_literals;

namespace {
constexpr double noPoint = std::numeric_limits<double>::quiet_NaN();

double orNoPoint(const std::optional<double> &v)
{
    return v ? *v : noPoint;
}
} // namespace

SaleDashboard::SaleDashboard(ServerClient *client, qint64 saleId, QWidget *parent)
    : QWidget(parent)
    , m_client(client)
    , m_saleId(saleId)
    , m_summary(new QLabel(this))
    , m_status(new QLabel(this))
    , m_alarm(new DiscrepancyAlarm(this))
    , m_stock(new TimeSeriesChart(tr("Remaining stock"), {tr("Remaining")}, tr("units"), this))
    , m_purchases(new TimeSeriesChart(tr("Purchases per second"), {tr("Accepted"), tr("Sold out / limit"), tr("Rate limited")},
                                      tr("per second"), this))
    , m_latency(new TimeSeriesChart(tr("Purchase latency"), {tr("p50"), tr("p95"), tr("p99")}, tr("ms"), this))
    , m_queue(new TimeSeriesChart(tr("Waiting room"), {tr("Queue length"), tr("Admitted"), tr("Admission rate /s")}, tr("shoppers"), this))
    , m_payments(new TimeSeriesChart(tr("Payment success rate"), {tr("Success")}, tr("%"), this))
    , m_orders(new OrderStateChart(this))
{
    m_summary->setAccessibleName(tr("Sale summary"));
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setAccessibleName(tr("Dashboard refresh status"));
    m_stock->setObjectName(QStringLiteral("stockChart"));
    m_purchases->setObjectName(QStringLiteral("purchasesChart"));
    m_latency->setObjectName(QStringLiteral("latencyChart"));
    m_queue->setObjectName(QStringLiteral("queueChart"));
    m_payments->setObjectName(QStringLiteral("paymentChart"));
    m_orders->setObjectName(QStringLiteral("ordersChart"));
    m_payments->setFixedTop(100);

    auto *grid = new QGridLayout;
    grid->addWidget(m_stock, 0, 0);
    grid->addWidget(m_purchases, 0, 1);
    grid->addWidget(m_latency, 0, 2);
    grid->addWidget(m_queue, 1, 0);
    grid->addWidget(m_orders, 1, 1);
    grid->addWidget(m_payments, 1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(m_alarm);
    layout->addLayout(grid, 1);
    layout->addWidget(m_status);

    m_timer.setInterval(1s);
    connect(&m_timer, &QTimer::timeout, this, &SaleDashboard::tick);
    m_clock.start();
}

void SaleDashboard::start()
{
    if (m_timer.isActive())
        return;
    m_timer.start();
    tick();
}

void SaleDashboard::stop()
{
    m_timer.stop();
}

void SaleDashboard::tick()
{
    if (m_pending > 0) { // the previous refresh has not answered: skip this one
        ++m_dropped;
        return;
    }
    m_pending = 3;
    m_error.clear();
    m_client->getMetrics(this, [this](const Api::Result<Api::MetricsSnapshot> &r) {
        if (r.ok()) {
            m_previousMetrics = std::exchange(m_metrics, r.value());
            m_previousMetricsAt = std::exchange(m_metricsAt, double(m_clock.elapsed()) / 1000.0);
        } else {
            m_error = tr("Metrics: %1").arg(r.error().message());
        }
        answered();
    });
    m_client->getSale(m_saleId, this, [this](const Api::Result<Api::Sale> &r) {
        if (r.ok())
            m_sale = r.value();
        else
            m_error = tr("Sale: %1").arg(r.error().message());
        answered();
    });
    m_client->getQueueStats(m_saleId, this, [this](const Api::Result<Api::QueueStats> &r) {
        // Only administrators see the queue; without it the other charts still move.
        m_queueStats = r.ok() ? std::optional<Api::QueueStats>(r.value()) : std::nullopt;
        answered();
    });
}

void SaleDashboard::answered()
{
    if (--m_pending > 0)
        return;
    draw();
    ++m_refreshes;
    if (!m_error.isEmpty()) {
        m_status->setText(m_error);
        ErrorStyle::apply(m_status);
        Q_EMIT problem(m_error);
    } else {
        m_status->setPalette(QPalette());
        m_status->setText(tr("Updated %1 · %n refresh(es)", nullptr, m_refreshes).arg(QTime::currentTime().toString(Qt::ISODate))
                          + (m_dropped ? tr(" · %n skipped while the server was busy", nullptr, m_dropped) : QString()));
    }
    Q_EMIT refreshed();
}

void SaleDashboard::draw()
{
    const double now = double(m_clock.elapsed()) / 1000.0;
    if (m_sale) {
        const Api::Sale &s = *m_sale;
        m_summary->setText(tr("<b>%1</b> — %2 · sold %3 of %4 · remaining %5")
                               .arg(s.name.toHtmlEscaped(), SalesTableModel::stateText(s).toHtmlEscaped(), QLocale().toString(s.sold),
                                    QLocale().toString(s.quantity), QLocale().toString(s.remainingStock)));
        m_stock->append(now, {double(s.remainingStock)});
    }
    if (m_queueStats)
        m_queue->append(now, {double(m_queueStats->length), double(m_queueStats->admitted), m_queueStats->admissionRatePerSecond});
    if (!m_metrics)
        return;
    m_orders->setCounts({MetricsTotals::orders(*m_metrics, QStringLiteral("confirmed")), MetricsTotals::orders(*m_metrics, QStringLiteral("failed")),
                         MetricsTotals::orders(*m_metrics, QStringLiteral("expired")), MetricsTotals::orders(*m_metrics, QStringLiteral("refunded"))});
    m_payments->append(m_metricsAt, {orNoPoint(MetricsTotals::paymentSuccessPercent(*m_metrics))});
    m_alarm->setDiscrepancy(qint64(std::llround(MetricsTotals::discrepancy(*m_metrics))));
    if (!m_previousMetrics)
        return;
    const MetricsDelta d = MetricsDelta::between(*m_previousMetrics, *m_metrics, m_metricsAt - m_previousMetricsAt);
    m_purchases->append(m_metricsAt, {d.acceptedPerSecond, d.soldOutPerSecond, d.rateLimitedPerSecond});
    m_latency->append(m_metricsAt, {orNoPoint(d.p50Ms), orNoPoint(d.p95Ms), orNoPoint(d.p99Ms)});
}

QStringList SaleDashboard::exportCharts(const QString &folder) const
{
    QStringList written;
    const QDir dir(folder);
    for (QWidget *chart : QList<QWidget *>{m_stock, m_purchases, m_latency, m_queue, m_orders, m_payments}) {
        const QString path = dir.filePath(QStringLiteral("sale-%1-%2.png").arg(m_saleId).arg(chart->objectName()));
        if (chart->grab().save(path))
            written.append(path);
    }
    return written;
}
