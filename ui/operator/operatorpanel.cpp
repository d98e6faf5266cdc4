#include "operatorpanel.h"

#include "client/serverclient.h"
#include "widgets/confirmation.h"
#include "widgets/errorstyle.h"

#include <QAction>
#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLocale>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace {

QToolButton *buttonFor(QAction *action, QWidget *parent)
{
    auto *button = new QToolButton(parent);
    button->setDefaultAction(action);
    button->setToolButtonStyle(Qt::ToolButtonTextOnly);
    button->setAccessibleName(action->text().remove(QLatin1Char('&')).remove(QChar(0x2026)));
    return button;
}

} // namespace

OperatorPanel::OperatorPanel(ServerClient *client, qint64 saleId, QWidget *parent)
    : QWidget(parent)
    , m_client(client)
    , m_saleId(saleId)
    , m_startNow(new QAction(tr("&Start Now…"), this))
    , m_pause(new QAction(tr("&Pause Admission…"), this))
    , m_applyRate(new QAction(tr("&Apply Rate…"), this))
    , m_endEarly(new QAction(tr("&End Early…"), this))
    , m_rate(new QDoubleSpinBox(this))
    , m_queueState(new QLabel(this))
    , m_result(new QLabel(this))
    , m_audit(new QTreeWidget(this))
{
    m_startNow->setShortcut(QKeySequence(tr("Ctrl+Shift+S")));
    m_pause->setShortcut(QKeySequence(tr("Ctrl+Shift+P")));
    m_applyRate->setShortcut(QKeySequence(tr("Ctrl+Shift+A")));
    m_endEarly->setShortcut(QKeySequence(tr("Ctrl+Shift+X")));
    for (QAction *a : {m_startNow, m_pause, m_applyRate, m_endEarly}) {
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        addAction(a);
    }
    connect(m_startNow, &QAction::triggered, this, &OperatorPanel::startNow);
    connect(m_pause, &QAction::triggered, this, &OperatorPanel::togglePause);
    connect(m_applyRate, &QAction::triggered, this, &OperatorPanel::applyRate);
    connect(m_endEarly, &QAction::triggered, this, &OperatorPanel::endEarly);

    m_rate->setObjectName(QStringLiteral("admissionRate"));
    m_rate->setAccessibleName(tr("Admission rate, shoppers per second"));
    m_rate->setRange(0, 1000000);
    m_rate->setDecimals(1);
    m_rate->setSuffix(tr(" /s"));
    m_queueState->setAccessibleName(tr("Admission state"));
    m_result->setObjectName(QStringLiteral("operatorResult"));
    m_result->setAccessibleName(tr("Result of the last operator action"));
    m_result->setWordWrap(true);
    m_audit->setObjectName(QStringLiteral("auditTrail"));
    m_audit->setAccessibleName(tr("Audit trail of the sale"));
    m_audit->setRootIsDecorated(false);
    m_audit->setAlternatingRowColors(true);
    m_audit->setHeaderLabels({tr("When"), tr("Who"), tr("Action"), tr("Details")});
    m_audit->header()->setSectionResizeMode(QHeaderView::ResizeToContents);

    auto *controls = new QGroupBox(tr("Operator controls"), this);
    auto *grid = new QGridLayout(controls);
    grid->addWidget(buttonFor(m_startNow, controls), 0, 0);
    grid->addWidget(buttonFor(m_endEarly, controls), 0, 1);
    grid->addWidget(buttonFor(m_pause, controls), 1, 0);
    grid->addWidget(m_queueState, 1, 1, 1, 2);
    auto *rateLabel = new QLabel(tr("Admission &rate:"), controls);
    rateLabel->setBuddy(m_rate);
    grid->addWidget(rateLabel, 2, 0);
    grid->addWidget(m_rate, 2, 1);
    grid->addWidget(buttonFor(m_applyRate, controls), 2, 2);
    grid->setColumnStretch(3, 1);
    auto *auditBox = new QGroupBox(tr("Audit trail"), this);
    auto *auditLayout = new QVBoxLayout(auditBox);
    auditLayout->addWidget(m_audit);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(controls);
    layout->addWidget(m_result);
    layout->addWidget(auditBox, 1);
}

void OperatorPanel::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    reload();
}

void OperatorPanel::reload()
{
    m_client->getQueueStats(m_saleId, this, [this](const Api::Result<Api::QueueStats> &r) {
        if (r.ok())
            showQueue(r.value());
    });
    m_client->listAudit(m_saleId, this, [this](const Api::Result<QList<Api::AuditEntry>> &r) {
        if (!r.ok()) {
            showResult(tr("Cannot load the audit trail: %1").arg(r.error().message()), true);
            return;
        }
        m_audit->clear();
        for (const Api::AuditEntry &e : r.value()) {
            m_audit->addTopLevelItem(new QTreeWidgetItem({QLocale().toString(e.at.toLocalTime(), QLocale::ShortFormat), e.actorEmail, e.action,
                                                          QString::fromUtf8(QJsonDocument(e.details).toJson(QJsonDocument::Compact))}));
        }
    });
}

void OperatorPanel::showQueue(const Api::QueueStats &stats)
{
    m_queue = stats;
    m_pause->setText(stats.paused ? tr("&Resume Admission…") : tr("&Pause Admission…"));
    m_queueState->setText(stats.paused ? tr("Admission is paused.") : tr("Admitting %1 shoppers per second.").arg(QLocale().toString(stats.admissionRatePerSecond)));
    if (!m_rate->hasFocus())
        m_rate->setValue(stats.admissionRatePerSecond);
}

void OperatorPanel::showResult(const QString &text, bool failed)
{
    m_result->setText(text);
    if (failed)
        ErrorStyle::apply(m_result);
    else
        m_result->setPalette(QPalette());
    Q_EMIT message(text);
}

void OperatorPanel::startNow()
{
    Confirmation::ask(this, tr("Start the Sale Now"), tr("Start sale %1 now? Shoppers can buy at once.").arg(m_saleId), tr("&Start Now"), [this] {
        m_client->startSaleNow(m_saleId, this, [this](const Api::Result<Api::Sale> &r) {
            showResult(r.ok() ? tr("Sale started.") : tr("The sale was not started: %1").arg(r.error().message()), !r.ok());
            reload();
        });
    });
}

void OperatorPanel::endEarly()
{
    Confirmation::ask(this, tr("End the Sale Early"), tr("End sale %1 now? No one can buy after this.").arg(m_saleId), tr("&End Sale"), [this] {
        m_client->endSaleNow(m_saleId, this, [this](const Api::Result<Api::Sale> &r) {
            showResult(r.ok() ? tr("Sale ended.") : tr("The sale was not ended: %1").arg(r.error().message()), !r.ok());
            reload();
        });
    });
}

void OperatorPanel::togglePause()
{
    const bool pause = !(m_queue && m_queue->paused);
    Confirmation::ask(this, pause ? tr("Pause Admission") : tr("Resume Admission"),
                      pause ? tr("Stop admitting shoppers from the waiting room of sale %1?").arg(m_saleId)
                            : tr("Admit shoppers from the waiting room of sale %1 again?").arg(m_saleId),
                      pause ? tr("&Pause") : tr("&Resume"), [this, pause] {
                          Api::QueueSettingsChange change;
                          change.paused = pause;
                          changeQueue(change, pause ? tr("Admission paused.") : tr("Admission resumed."));
                      });
}

void OperatorPanel::applyRate()
{
    const double rate = m_rate->value();
    Confirmation::ask(this, tr("Change the Admission Rate"),
                      tr("Admit %1 shoppers per second into sale %2?").arg(QLocale().toString(rate)).arg(m_saleId), tr("&Apply"), [this, rate] {
                          Api::QueueSettingsChange change;
                          change.admissionRatePerSecond = rate;
                          changeQueue(change, tr("Admission rate set to %1 per second.").arg(QLocale().toString(rate)));
                      });
}

void OperatorPanel::changeQueue(const Api::QueueSettingsChange &change, const QString &done)
{
    m_client->changeQueueSettings(m_saleId, change, this, [this, done](const Api::Result<Api::QueueStats> &r) {
        if (r.ok())
            showQueue(r.value());
        showResult(r.ok() ? done : tr("The admission did not change: %1").arg(r.error().message()), !r.ok());
        reload();
    });
}
