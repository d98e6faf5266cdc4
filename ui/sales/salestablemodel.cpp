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
    : ColumnTableModel<Api::Sale>(parent)
{
    addColumn({tr("Name"), [](const Api::Sale &s) { return s.name; }, {}, false, {}, [](const Api::Sale &s) {
                   return s.productName.isEmpty() ? QVariant() : QVariant(tr("%1 (product #%2)").arg(s.productName).arg(s.productId));
               }});
    addColumn({tr("State"), &SalesTableModel::stateText, [](const Api::Sale &s) { return int(s.status); }, false, [](const Api::Sale &s) {
                   switch (s.status) {
                   case Api::Sale::Status::Active: return QVariant(QBrush(StateColors::running()));
                   case Api::Sale::Status::SoldOut: return QVariant(QBrush(QColor(0xb3, 0x54, 0x00)));
                   case Api::Sale::Status::Ended: return QVariant(QBrush(StateColors::finished()));
                   default: return QVariant();
                   }
               }});
    addColumn({tr("Window (local time)"), &SalesTableModel::windowText, [](const Api::Sale &s) { return s.startTime; }});
    addColumn({tr("Price"), [](const Api::Sale &s) { return Api::Money::format(s.salePriceCents); },
               [](const Api::Sale &s) { return s.salePriceCents; }, true, {}, [](const Api::Sale &s) {
                   return s.regularPriceCents > 0 ? QVariant(tr("Regular price %1").arg(Api::Money::format(s.regularPriceCents))) : QVariant();
               }});
    addColumn(countColumn(tr("Sold"), &Api::Sale::sold));
    Column remaining = countColumn(tr("Remaining"), &Api::Sale::remainingStock);
    remaining.toolTip = [](const Api::Sale &s) { return tr("%1 of %2 left").arg(s.remainingStock).arg(s.quantity); };
    addColumn(remaining);
    addColumn({tr("Per-user limit"), [](const Api::Sale &s) { return QLocale().toString(s.perUserLimit); },
               [](const Api::Sale &s) { return s.perUserLimit; }, true});
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
