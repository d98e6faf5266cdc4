#include "orderstablemodel.h"

#include "client/money.h"

#include <QLocale>

OrdersTableModel::OrdersTableModel(QObject *parent)
    : ColumnTableModel<Api::Order>(parent)
{
    const auto localTime = [](QDateTime Api::Order::*field) {
        return Column{{}, [field](const Api::Order &o) { return QLocale().toString((o.*field).toLocalTime(), QLocale::ShortFormat); },
                      [field](const Api::Order &o) { return o.*field; }};
    };
    addColumn({tr("Order"), [](const Api::Order &o) { return o.id; }});
    addColumn({tr("State"), [](const Api::Order &o) {
                   return o.failureReason.isEmpty() ? o.state() : tr("%1 (%2)").arg(o.state(), o.failureReason);
               }});
    addColumn({tr("Shopper (user id)"), [](const Api::Order &o) { return QString::number(o.userId); },
               [](const Api::Order &o) { return o.userId; }});
    addColumn({tr("Quantity"), [](const Api::Order &o) { return QLocale().toString(o.quantity); },
               [](const Api::Order &o) { return o.quantity; }});
    addColumn({tr("Total"), [](const Api::Order &o) { return Api::Money::format(o.totalCents); },
               [](const Api::Order &o) { return o.totalCents; }});
    Column created = localTime(&Api::Order::createdAt);
    created.title = tr("Created");
    addColumn(created);
    Column updated = localTime(&Api::Order::updatedAt);
    updated.title = tr("Updated");
    addColumn(updated);
}
