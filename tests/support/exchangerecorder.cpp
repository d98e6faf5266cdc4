#include "exchangerecorder.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QMutexLocker>

namespace {

struct Recorder
{
    QMutex mutex;
    QString directory = qEnvironmentVariable("FLASHSALE_API_RECORD_DIR");
    QFile file;
    bool failed = false;

    // Under the mutex: opens (and truncates) this process's file on first use.
    bool open()
    {
        if (file.isOpen())
            return true;
        if (failed)
            return false;
        QString name = QCoreApplication::instance() ? QCoreApplication::applicationName() : QString();
        if (name.isEmpty())
            name = QStringLiteral("process-%1").arg(QCoreApplication::applicationPid());
        file.setFileName(QDir(directory).filePath(name + QStringLiteral(".jsonl")));
        if (!QDir().mkpath(directory) || !file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            qWarning("ExchangeRecorder: cannot write %s; answers are not recorded", qPrintable(file.fileName()));
            failed = true;
            return false;
        }
        return true;
    }
};

Recorder &recorder()
{
    static Recorder instance;
    return instance;
}

} // namespace

namespace ExchangeRecorder {

bool isEnabled()
{
    return !recorder().directory.isEmpty();
}

void record(const QByteArray &method, const QUrl &url, int status, const QByteArray &contentType, const QByteArray &body)
{
    if (!isEnabled())
        return;
    QJsonObject line{{QStringLiteral("method"), QString::fromLatin1(method)},
                     {QStringLiteral("path"), url.path()},
                     {QStringLiteral("query"), url.query()},
                     {QStringLiteral("status"), status},
                     {QStringLiteral("contentType"), QString::fromLatin1(contentType)},
                     {QStringLiteral("bodyLength"), body.size()}};
    QJsonValue parsed = QJsonValue::Null;
    if (contentType.contains("json")) {
        const QJsonDocument doc = QJsonDocument::fromJson(body);
        if (doc.isObject())
            parsed = doc.object();
        else if (doc.isArray())
            parsed = doc.array();
    }
    line.insert(QStringLiteral("body"), parsed);
    const QByteArray text = QJsonDocument(line).toJson(QJsonDocument::Compact) + '\n';
    Recorder &r = recorder();
    QMutexLocker lock(&r.mutex);
    if (!r.open())
        return;
    r.file.write(text);
    r.file.flush(); // a test that crashes keeps what it recorded
}

} // namespace ExchangeRecorder
