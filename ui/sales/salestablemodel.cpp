#include "salestablemodel.h"

#include "client/money.h"
#include "widgets/statecolors.h"

#include <QBrush>
#include <QColor>
#include <QLocale>

namespace {

QString countdown(qint64 seconds)
{
    seconds = qMax<qint64>(0, seconds);
    const qint64 h = seconds / 3600;
    const qint64 m = (seconds % 3600) / 60;
    const qint64 s = seconds % 60;
    if (h > 0)
        return QStringLiteral("%1:%2:%3").arg(h).arg(m, 2, 10, QLatin1Char('0')).arg(s, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(m).arg(s, 2, 10, QLatin1Char('0'));
}

} // namespace

SalesTableModel::SalesTableModel(QObject *parent)
    : KeyedTableModel<Api::Sale>(parent)
{
}

int SalesTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SalesTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn: return tr("Name");
    case StateColumn: return tr("State");
    case WindowColumn: return tr("Window (local time)");
    case PriceColumn: return tr("Price");
    case SoldColumn: return tr("Sold");
    case RemainingColumn: return tr("Remaining");
    case PerUserLimitColumn: return tr("Per-user limit");
    default: return {};
    }
}

QVariant SalesTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Api::Sale &s = item(index.row());
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return display(s, column);
    case Qt::AccessibleTextRole:
        return display(s, column);
    case SaleIdRole:
        return s.id;
    case SortRole:
        return sortKey(s, column);
    case Qt::TextAlignmentRole:
        if (column == PriceColumn || column == SoldColumn || column == RemainingColumn || column == PerUserLimitColumn)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ToolTipRole:
        if (column == PriceColumn && s.regularPriceCents > 0)
            return tr("Regular price %1").arg(Api::Money::format(s.regularPriceCents));
        if (column == NameColumn && !s.productName.isEmpty())
            return tr("%1 (product #%2)").arg(s.productName).arg(s.productId);
        if (column == RemainingColumn)
            return tr("%1 of %2 left").arg(s.remainingStock).arg(s.quantity);
        return {};
    case Qt::ForegroundRole:
        if (column != StateColumn)
            return {};
        switch (s.status) {
        case Api::Sale::Status::Active: return QBrush(StateColors::running());
        case Api::Sale::Status::SoldOut: return QBrush(QColor(0xb3, 0x54, 0x00));
        case Api::Sale::Status::Ended: return QBrush(StateColors::finished());
        default: return {};
        }
    default:
        return {};
    }
}

QVariant SalesTableModel::display(const Api::Sale &s, int column) const
{
    switch (column) {
    case NameColumn: return s.name;
    case StateColumn: return stateText(s);
    case WindowColumn: return windowText(s);
    case PriceColumn: return Api::Money::format(s.salePriceCents);
    case SoldColumn: return QLocale().toString(s.sold);
    case RemainingColumn: return QLocale().toString(s.remainingStock);
    case PerUserLimitColumn: return QLocale().toString(s.perUserLimit);
    default: return {};
    }
}

QVariant SalesTableModel::sortKey(const Api::Sale &s, int column) const
{
    switch (column) {
    case StateColumn: return int(s.status);
    case WindowColumn: return s.startTime;
    case PriceColumn: return s.salePriceCents;
    case SoldColumn: return s.sold;
    case RemainingColumn: return s.remainingStock;
    case PerUserLimitColumn: return s.perUserLimit;
    default: return display(s, column);
    }
}

QString SalesTableModel::stateText(const Api::Sale &s)
{
    const QDateTime now = s.serverTime.isValid() ? s.serverTime : QDateTime::currentDateTimeUtc();
    switch (s.status) {
    case Api::Sale::Status::Scheduled:
        return tr("Scheduled (starts in %1)").arg(countdown(now.secsTo(s.startTime)));
    case Api::Sale::Status::Active:
        return tr("Active (ends in %1)").arg(countdown(now.secsTo(s.endTime)));
    case Api::Sale::Status::SoldOut:
        return tr("Sold out");
    case Api::Sale::Status::Ended:
        return tr("Ended");
    case Api::Sale::Status::Unknown:
        break;
    }
    return tr("Unknown");
}

QString SalesTableModel::windowText(const Api::Sale &s)
{
    const QLocale locale;
    const QDateTime start = s.startTime.toLocalTime();
    const QDateTime end = s.endTime.toLocalTime();
    QString timeFormat = locale.timeFormat(QLocale::ShortFormat);
    timeFormat.remove(QStringLiteral(":ss")); // sales start on the minute
    const auto dateAndTime = [&](const QDateTime &t) {
        return locale.toString(t.date(), QLocale::ShortFormat) + QLatin1Char(' ') + locale.toString(t.time(), timeFormat);
    };
    const QString to = start.date() == end.date() ? locale.toString(end.time(), timeFormat) : dateAndTime(end);
    return tr("%1 – %2").arg(dateAndTime(start), to);
}
