#include "discrepancyalarm.h"

DiscrepancyAlarm::DiscrepancyAlarm(QWidget *parent)
    : QLabel(parent)
{
    setAccessibleName(tr("Reconciliation discrepancy"));
    setMargin(6);
    setDiscrepancy(0);
}

void DiscrepancyAlarm::setDiscrepancy(qint64 units)
{
    m_units = units;
    if (units == 0) {
        setText(tr("Reconciliation: every unit accounted for (discrepancy 0)"));
        setStyleSheet(QStringLiteral("QLabel { color: #1b5e20; background: #e8f5e9; border-radius: 4px; }"));
    } else {
        setText(tr("⚠ RECONCILIATION ALARM: %n unit(s) unaccounted for", nullptr, int(units)));
        setStyleSheet(QStringLiteral("QLabel { color: white; background: #c62828; font-weight: bold; border-radius: 4px; }"));
    }
    setAccessibleDescription(text());
}
