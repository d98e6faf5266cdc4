#pragma once

#include "client/queuestats.h"

#include <QWidget>

#include <optional>

class QAction;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QTreeWidget;
class ServerClient;

// The operator's controls on one sale: start now, pause or resume the admission from
// the waiting room, change its rate, end the sale early. Each asks for confirmation,
// calls the server, shows the answer, and reloads the sale's audit trail (who did what
// and when) from GET /admin/audit.
class OperatorPanel : public QWidget
{
    Q_OBJECT

public:
    OperatorPanel(ServerClient *client, qint64 saleId, QWidget *parent = nullptr);

    QAction *startNowAction() const { return m_startNow; }
    QAction *pauseAction() const { return m_pause; }
    QAction *applyRateAction() const { return m_applyRate; }
    QAction *endEarlyAction() const { return m_endEarly; }
    QDoubleSpinBox *rateField() const { return m_rate; }
    QTreeWidget *auditTrail() const { return m_audit; }
    QLabel *resultLabel() const { return m_result; }
    const std::optional<Api::QueueStats> &queue() const { return m_queue; }

    // Reloads the queue settings and the audit trail.
    void reload();

Q_SIGNALS:
    void message(const QString &text);

protected:
    void showEvent(QShowEvent *event) override;

private:
    void startNow();
    void togglePause();
    void applyRate();
    void endEarly();
    void changeQueue(const Api::QueueSettingsChange &change, const QString &done);
    void showResult(const QString &text, bool failed);
    void showQueue(const Api::QueueStats &stats);

    ServerClient *m_client;
    qint64 m_saleId;
    std::optional<Api::QueueStats> m_queue;
    QAction *m_startNow;
    QAction *m_pause;
    QAction *m_applyRate;
    QAction *m_endEarly;
    QDoubleSpinBox *m_rate;
    QLabel *m_queueState;
    QLabel *m_result;
    QTreeWidget *m_audit;
};
