#pragma once

#include <QJsonObject>

#include <optional>

namespace Api {

// The waiting room of one sale as an admin sees it (GET /sales/{id}/queue).
struct QueueStats
{
    qint64 saleId = 0;
    qint64 length = 0;   // tickets issued
    qint64 waiting = 0;  // not admitted yet
    qint64 admitted = 0; // admitted so far
    double admissionRatePerSecond = 0;
    bool paused = false;
    bool required = false;

    static std::optional<QueueStats> fromJson(const QJsonObject &object);
};

// A change to the admission (PUT /sales/{id}/queue/settings); unset fields stay.
struct QueueSettingsChange
{
    std::optional<double> admissionRatePerSecond;
    std::optional<bool> paused;

    QJsonObject toJson() const;
};

} // namespace Api
