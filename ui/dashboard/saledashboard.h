#pragma once

#include "client/metricssnapshot.h"
#include "client/queuestats.h"
#include "client/sale.h"

#include <QElapsedTimer>
#include <QTimer>
#include <QWidget>

#include <optional>

class DiscrepancyAlarm;
class OrderStateChart;
class QLabel;
class ServerClient;
class TimeSeriesChart;

// The live dashboard of one sale. Every second it asks the server, at once and without
// waiting, for /metrics, the sale and its queue; when all three have answered it draws
// one more point on each chart. A tick that comes while the previous answers are still
// on their way is dropped, so a slow server never piles up requests or freezes the
// window.
class SaleDashboard : public QWidget
{
    Q_OBJECT

public:
    SaleDashboard(ServerClient *client, qint64 saleId, QWidget *parent = nullptr);

    // Refreshes now and every second until stop(); the charts keep their history while
    // another tab of the window is shown.
    void start();
    void stop();
    void setRefreshInterval(std::chrono::milliseconds interval) { m_timer.setInterval(interval); }
    int refreshes() const { return m_refreshes; }
    int droppedRefreshes() const { return m_dropped; }
    const std::optional<Api::Sale> &sale() const { return m_sale; }

    TimeSeriesChart *stockChart() const { return m_stock; }
    TimeSeriesChart *purchasesChart() const { return m_purchases; }
    TimeSeriesChart *latencyChart() const { return m_latency; }
    TimeSeriesChart *queueChart() const { return m_queue; }
    TimeSeriesChart *paymentChart() const { return m_payments; }
    OrderStateChart *ordersChart() const { return m_orders; }
    DiscrepancyAlarm *alarm() const { return m_alarm; }
    QLabel *summary() const { return m_summary; }

    // Saves every chart as a PNG in `folder`; returns the files written.
    QStringList exportCharts(const QString &folder) const;

Q_SIGNALS:
    void refreshed();
    void problem(const QString &message);

private:
    void tick();
    void answered();
    void draw();

    ServerClient *m_client;
    qint64 m_saleId;
    QTimer m_timer;
    QElapsedTimer m_clock;
    int m_pending = 0;
    int m_refreshes = 0;
    int m_dropped = 0;
    QString m_error;

    std::optional<Api::MetricsSnapshot> m_metrics;
    std::optional<Api::MetricsSnapshot> m_previousMetrics;
    double m_metricsAt = 0;
    double m_previousMetricsAt = 0;
    std::optional<Api::Sale> m_sale;
    std::optional<Api::QueueStats> m_queueStats;

    QLabel *m_summary;
    QLabel *m_status;
    DiscrepancyAlarm *m_alarm;
    TimeSeriesChart *m_stock;
    TimeSeriesChart *m_purchases;
    TimeSeriesChart *m_latency;
    TimeSeriesChart *m_queue;
    TimeSeriesChart *m_payments;
    OrderStateChart *m_orders;
};
