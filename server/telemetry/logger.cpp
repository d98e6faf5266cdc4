#include "logger.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QMutex>

#include <atomic>
#include <cstdio>

namespace Log {
namespace {

std::atomic<int> currentLevel{int(Level::Info)};
QMutex writeMutex;

const char *name(Level level)
{
    switch (level) {
    case Level::Debug: return "DEBUG";
    case Level::Info: return "INFO";
    case Level::Warning: return "WARN";
    case Level::Error: return "ERROR";
    }
    return "INFO";
}

void qtHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    Level level = Level::Debug;
    switch (type) {
    case QtDebugMsg: level = Level::Debug; break;
    case QtInfoMsg: level = Level::Info; break;
    case QtWarningMsg: level = Level::Warning; break;
    case QtCriticalMsg:
    case QtFatalMsg: level = Level::Error; break;
    }
    QJsonObject fields{{QStringLiteral("message"), message}};
    if (context.category && qstrcmp(context.category, "default") != 0)
        fields.insert(QStringLiteral("category"), QString::fromLatin1(context.category));
    write(level, QStringLiteral("qt"), fields);
    if (type == QtFatalMsg)
        std::abort();
}

} // namespace

void setLevel(Level level) { currentLevel.store(int(level)); }

Level levelFromString(const QString &text, bool *ok)
{
    const QString t = text.toLower();
    if (ok)
        *ok = true;
    if (t == QLatin1String("debug")) return Level::Debug;
    if (t == QLatin1String("info")) return Level::Info;
    if (t == QLatin1String("warning") || t == QLatin1String("warn")) return Level::Warning;
    if (t == QLatin1String("error")) return Level::Error;
    if (ok)
        *ok = false;
    return Level::Info;
}

bool enabled(Level level) { return int(level) >= currentLevel.load(std::memory_order_relaxed); }

void write(Level level, const QString &event, const QJsonObject &fields)
{
    if (!enabled(level))
        return;
    QJsonObject line = fields;
    line.insert(QStringLiteral("timestamp"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
    line.insert(QStringLiteral("level"), QString::fromLatin1(name(level)));
    line.insert(QStringLiteral("service"), QStringLiteral("flashsale"));
    line.insert(QStringLiteral("event"), event);
    const QByteArray bytes = QJsonDocument(line).toJson(QJsonDocument::Compact) + '\n';
    QMutexLocker lock(&writeMutex);
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stderr);
    std::fflush(stderr);
}

void installQtMessageHandler() { qInstallMessageHandler(qtHandler); }

} // namespace Log
