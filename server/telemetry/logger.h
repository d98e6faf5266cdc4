#pragma once

#include <QJsonObject>
#include <QString>

// Structured logs: one JSON object per line on standard error, with timestamp, level,
// service, event and any fields (requestId, traceId, orderId...). Thread-safe.
namespace Log {

enum class Level { Debug, Info, Warning, Error };

void setLevel(Level level);
Level levelFromString(const QString &name, bool *ok = nullptr);
bool enabled(Level level);
void write(Level level, const QString &event, const QJsonObject &fields = {});
inline void debug(const QString &event, const QJsonObject &fields = {}) { write(Level::Debug, event, fields); }
inline void info(const QString &event, const QJsonObject &fields = {}) { write(Level::Info, event, fields); }
inline void warning(const QString &event, const QJsonObject &fields = {}) { write(Level::Warning, event, fields); }
inline void error(const QString &event, const QJsonObject &fields = {}) { write(Level::Error, event, fields); }

// Routes qDebug/qWarning/... through the same JSON lines.
void installQtMessageHandler();

} // namespace Log
