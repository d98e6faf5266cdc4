#pragma once

#include <QLabel>

// The reconciliation discrepancy: a quiet green line at 0, a red alarm otherwise.
class DiscrepancyAlarm : public QLabel
{
    Q_OBJECT

public:
    explicit DiscrepancyAlarm(QWidget *parent = nullptr);

    void setDiscrepancy(qint64 units);
    bool isAlarming() const { return m_units != 0; }
    qint64 units() const { return m_units; }

private:
    qint64 m_units = 0;
};
