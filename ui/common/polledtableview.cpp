#include "polledtableview.h"

#include "client/poller.h"
#include "readonlytable.h"
#include "widgets/errorstyle.h"

#include <QHeaderView>
#include <QLabel>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

PolledTableView::PolledTableView(std::chrono::milliseconds interval, const QString &settingsKey, QWidget *parent)
    : QWidget(parent)
    , m_settingsKey(settingsKey)
    , m_proxy(new QSortFilterProxyModel(this))
    , m_table(new QTableView(this))
    , m_problem(new QLabel(this))
    , m_placeholder(new QLabel(this))
    , m_poller(new Poller(interval, [this] { poll(); }, this))
{
    m_proxy->setSortCaseSensitivity(Qt::CaseInsensitive);
    m_table->setModel(m_proxy);
    ReadOnlyTable::configure(m_table);

    ErrorStyle::apply(m_problem);
    m_problem->setAccessibleName(tr("Problem"));
    m_problem->hide();
    m_placeholder->setWordWrap(true);
    m_placeholder->hide();

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_problem);
    layout->addWidget(m_placeholder);
    layout->addWidget(m_table);
}

void PolledTableView::setModel(QAbstractItemModel *model, int sortRole, int sortColumn)
{
    m_proxy->setSourceModel(model);
    m_proxy->setSortRole(sortRole);
    m_table->sortByColumn(sortColumn, Qt::AscendingOrder);
}

void PolledTableView::setPlaceholderText(const QString &text)
{
    m_placeholder->setText(text);
    m_placeholder->setAccessibleName(text);
}

void PolledTableView::refresh()
{
    m_poller->pollNow();
}

void PolledTableView::pollSucceeded()
{
    m_poller->finished();
    m_problem->hide();
    m_loaded = true;
    updatePlaceholder();
}

void PolledTableView::pollFailed(const QString &message)
{
    m_poller->finished();
    m_problem->setText(message);
    m_problem->show();
}

void PolledTableView::updatePlaceholder()
{
    m_placeholder->setVisible(m_loaded && m_proxy->rowCount() == 0);
}

void PolledTableView::saveState(QSettings &settings) const
{
    settings.setValue(m_settingsKey, m_table->horizontalHeader()->saveState());
}

void PolledTableView::restoreState(const QSettings &settings)
{
    const QByteArray state = settings.value(m_settingsKey).toByteArray();
    if (!state.isEmpty())
        m_table->horizontalHeader()->restoreState(state);
}

void PolledTableView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    m_poller->start();
}

void PolledTableView::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_poller->stop();
}
