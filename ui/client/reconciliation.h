#pragma once

#include <QDateTime>

namespace Api {

// The last check that every unit is accounted for (GET /admin/reconciliation).
struct Reconciliation
{
    QDateTime checkedAt;
    qint64 discrepancy = 0; // units unaccounted for; anything but 0 is an alarm
    qint64 overduePendingReservations = 0;
};

} // namespace Api
