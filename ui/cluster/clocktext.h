#pragma once

#include <QCoreApplication>
#include <QDateTime>
#include <QLocale>
#include <QString>

// Times of the cluster said relative to the server's clock (never the console's, which
// may be set differently): "0.4 s ago", "in 9.6 s".
class ClockText
{
    Q_DECLARE_TR_FUNCTIONS(ClockText)

public:
    static QString ago(const QDateTime &at, const QDateTime &now)
    {
        if (!at.isValid() || !now.isValid())
            return tr("never");
        return tr("%1 ago").arg(seconds(qMax<qint64>(0, at.msecsTo(now))));
    }

    static QString relative(const QDateTime &at, const QDateTime &now)
    {
        if (!at.isValid() || !now.isValid())
            return QString();
        const qint64 ms = now.msecsTo(at);
        return ms >= 0 ? tr("in %1").arg(seconds(ms)) : tr("%1 ago").arg(seconds(-ms));
    }

private:
    static QString seconds(qint64 ms)
    {
        if (ms >= 120000)
            return tr("%1 min").arg(QLocale().toString(double(ms) / 60000.0, 'f', 0));
        return tr("%1 s").arg(QLocale().toString(double(ms) / 1000.0, 'f', 1));
    }
};
