// The configuration's one table of keys: resources/config/flashsale.ini lists every key
// the server reads, with the very default the server uses, and no other key; reading the
// shipped file changes nothing; a bad value or an unknown key is reported, not guessed.
#include "config/settingstable.h"

#include <QSet>
#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>

namespace {

QString shippedIni()
{
    return qEnvironmentVariable("FLASHSALE_SOURCE_DIR", QStringLiteral(".")) + QStringLiteral("/resources/config/flashsale.ini");
}

// The INI text of a default, the way it is written in the file.
QString asText(const QVariant &value)
{
    if (value.typeId() == QMetaType::Bool)
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    if (value.typeId() == QMetaType::Double)
        return QString::number(value.toDouble(), 'g', 10);
    return value.toString();
}

QString iniText(const QVariant &value)
{
    return value.typeId() == QMetaType::QStringList ? value.toStringList().join(QLatin1Char(',')) : value.toString();
}

} // namespace

class TestSettingsTable : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void theShippedFileHasEveryKeyWithItsDefault()
    {
        QVERIFY2(QFile::exists(shippedIni()), qPrintable(shippedIni()));
        QSettings ini(shippedIni(), QSettings::IniFormat);
        const ServerConfig defaults;
        QSet<QString> inTable;
        QStringList problems;
        for (const Setting &s : settingsTable()) {
            QVERIFY2(!inTable.contains(s.key), qPrintable(s.key + QStringLiteral(" is in the table twice")));
            inTable.insert(s.key);
            QVERIFY2(!s.meaning.isEmpty(), qPrintable(s.key));
            if (!ini.contains(s.key)) {
                problems.append(s.key + QStringLiteral(": missing from flashsale.ini"));
                continue;
            }
            const QString written = iniText(ini.value(s.key));
            const QString expected = asText(s.value(defaults));
            bool numbers = false;
            const double a = written.toDouble(&numbers);
            bool ok = false;
            const double b = expected.toDouble(&ok);
            if (numbers && ok ? a != b : written != expected)
                problems.append(QStringLiteral("%1: flashsale.ini says \"%2\", the server's default is \"%3\"").arg(s.key, written, expected));
        }
        for (const QString &key : ini.allKeys()) {
            if (!inTable.contains(key))
                problems.append(key + QStringLiteral(": in flashsale.ini, but the server does not read it"));
        }
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
        QVERIFY(inTable.size() >= 60);
    }

    void readingTheShippedFileChangesNothing()
    {
        QStringList warnings;
        const ServerConfig read = ServerConfig::fromIni(shippedIni(), &warnings);
        QVERIFY2(warnings.isEmpty(), qPrintable(warnings.join(QLatin1Char('\n'))));
        const ServerConfig defaults;
        for (const Setting &s : settingsTable())
            QVERIFY2(s.value(read) == s.value(defaults), qPrintable(s.key));
    }

    void valuesAreReadAndBadOnesReported()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("test.ini"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("[server]\nport=9191\nbind=0.0.0.0\ntrustedProxies=10.0.0.1, nonsense\nthreads=many\n"
                "[purchase]\nrateLimitSeconds=0.5\n[waitingRoom]\nrequired=false\nproofOfWork=perhaps\n"
                "[cluster]\nnodeId=node-7\n[made]\nup=1\n");
        f.close();
        QStringList warnings;
        const ServerConfig c = ServerConfig::fromIni(path, &warnings);
        QCOMPARE(c.http.port, quint16(9191));
        QCOMPARE(c.http.bind.toString(), QStringLiteral("0.0.0.0"));
        QCOMPARE(c.http.trustedProxies.size(), 1);
        QCOMPARE(c.http.trustedProxies.first().toString(), QStringLiteral("10.0.0.1"));
        QCOMPARE(c.http.threads, ServerConfig().http.threads); // "many" is no number: the default stays
        QCOMPARE(c.purchase.rateLimitSeconds, 0.5);
        QCOMPARE(c.waitingRoom.required, false);
        QCOMPARE(c.waitingRoom.proofOfWork, ServerConfig().waitingRoom.proofOfWork);
        QCOMPARE(c.cluster.nodeId, QStringLiteral("node-7"));
        const QString all = warnings.join(QLatin1Char('\n'));
        QCOMPARE(warnings.size(), 4);
        QVERIFY2(all.contains(QStringLiteral("server/threads")), qPrintable(all));
        QVERIFY2(all.contains(QStringLiteral("nonsense")), qPrintable(all));
        QVERIFY2(all.contains(QStringLiteral("waitingRoom/proofOfWork")), qPrintable(all));
        QVERIFY2(all.contains(QStringLiteral("unknown configuration key made/up")), qPrintable(all));
    }
};

QTEST_GUILESS_MAIN(TestSettingsTable)
#include "tst_settingstable.moc"
