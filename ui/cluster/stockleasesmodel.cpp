#include "stockleasesmodel.h"

#include "clocktext.h"
#include "widgets/statecolors.h"

#include <QLocale>

StockLeasesModel::StockLeasesModel(QObject *parent)
    : ColumnTableModel<Api::StockLease>(parent)
{
    addColumn({tr("Sale"), [](const Api::StockLease &l) { return l.saleName; },
               [](const Api::StockLease &l) { return QStringLiteral("%1/%2").arg(l.saleId, 12, 10, QLatin1Char('0')).arg(l.nodeId); }});
    addColumn({tr("Node"), [](const Api::StockLease &l) { return l.nodeId; }});
    addColumn({tr("State"), [](const Api::StockLease &l) { return stateText(l.state); },
               [](const Api::StockLease &l) { return int(l.state); }, false,
               [](const Api::StockLease &l) { return stateColor(l.state); }});
    addColumn(countColumn(tr("Granted"), &Api::StockLease::granted));
    addColumn(countColumn(tr("Reserved"), &Api::StockLease::reserved));
    addColumn(countColumn(tr("Held"), &Api::StockLease::held));
    addColumn({tr("Expires"), [this](const Api::StockLease &l) { return ClockText::relative(l.expiresAt, m_serverTime); },
               [](const Api::StockLease &l) { return l.expiresAt; }, true, {},
               [](const Api::StockLease &l) { return QLocale().toString(l.expiresAt.toLocalTime()); }});
    addColumn(countColumn(tr("Leases taken"), &Api::StockLease::leasesTaken));
}

void StockLeasesModel::setLeases(const QList<Api::StockLease> &leases, const QDateTime &serverTime)
{
    m_serverTime = serverTime;
    setItems(leases);
    columnChanged(ExpiresColumn);
}

QString StockLeasesModel::stateText(Api::StockLease::State state)
{
    switch (state) {
    case Api::StockLease::State::Active: return tr("Active");
    case Api::StockLease::State::Expired: return tr("Expired");
    case Api::StockLease::State::Returned: return tr("Returned");
    case Api::StockLease::State::Unknown: break;
    }
    return tr("Unknown");
}

QColor StockLeasesModel::stateColor(Api::StockLease::State state)
{
    switch (state) {
    case Api::StockLease::State::Active: return StateColors::running();
    case Api::StockLease::State::Expired: return StateColors::failing();
    default: return StateColors::finished();
    }
}
