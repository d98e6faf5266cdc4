// The one table of routes (server/core/routetable.cpp) and the documents that describe it:
// docs/api.md's route list is generated from the table (FLASHSALE_UPDATE_DOCS=1 rewrites
// it), every request the prose tables of docs/api.md name is a route with the same access,
// every route is described somewhere in docs/api.md, no route hides another, and the
// OpenAPI document (resources/api/openapi.json) has one operation per route, with a bearer
// requirement exactly where the route needs a token and a 403 where it needs the admin role.
#include "core/routetable.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QtTest>

namespace {

const QString BeginMarker = QStringLiteral("<!-- routes:begin");
const QString EndMarker = QStringLiteral("<!-- routes:end -->");

QString apiDocPath()
{
    return qEnvironmentVariable("FLASHSALE_SOURCE_DIR", QStringLiteral(".")) + QStringLiteral("/docs/api.md");
}

QString openApiPath()
{
    return qEnvironmentVariable("FLASHSALE_SOURCE_DIR", QStringLiteral(".")) + QStringLiteral("/resources/api/openapi.json");
}

QString readFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readAll());
}

QString routeKey(const QString &method, const QString &path)
{
    return method + QLatin1Char(' ') + path;
}

// The route list as docs/api.md carries it, between the markers.
QString generatedList()
{
    QString out = QStringLiteral("%1 (generated from server/core/routetable.cpp by tests/unit/tst_routetable.cpp; "
                                 "FLASHSALE_UPDATE_DOCS=1 rewrites it) -->\n")
                      .arg(BeginMarker);
    out += QStringLiteral("| method | path | who | handler |\n|---|---|---|---|\n");
    for (const RouteSpec &r : routeTable()) {
        out += QStringLiteral("| %1 | `%2` | %3 | `%4` |\n")
                   .arg(QLatin1String(r.method), QLatin1String(r.path), QLatin1String(accessName(r.access)), QLatin1String(r.handler));
    }
    out += EndMarker;
    return out;
}

// docs/api.md without its generated list.
QString prose(const QString &doc)
{
    const int begin = doc.indexOf(BeginMarker);
    const int end = doc.indexOf(EndMarker);
    if (begin < 0 || end < begin)
        return doc;
    return doc.left(begin) + doc.mid(end + EndMarker.size());
}

// The access a prose table's "who" cell names, if it names one.
std::optional<Access> accessOfWho(const QString &who)
{
    static const QHash<QString, Access> words = {
        {QStringLiteral("anyone"), Access::Anyone}, {QStringLiteral("user"), Access::User},
        {QStringLiteral("owner"), Access::User},    {QStringLiteral("the ticket's owner"), Access::User},
        {QStringLiteral("admin"), Access::Admin},
    };
    const auto it = words.constFind(who.trimmed());
    return it == words.cend() ? std::nullopt : std::optional<Access>(*it);
}

} // namespace

class TestRouteTable : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void theTableIsWellFormed()
    {
        QVERIFY(routeTable().size() >= 30);
        QSet<QString> seen;
        for (const RouteSpec &r : routeTable()) {
            const QString key = routeKey(QLatin1String(r.method), QLatin1String(r.path));
            QVERIFY2(!seen.contains(key), qPrintable(key + QStringLiteral(" is in the table twice")));
            seen.insert(key);
            QVERIFY2(QByteArrayList({"GET", "POST", "PUT", "DELETE"}).contains(r.method), r.method);
            QVERIFY2(r.path[0] == '/', r.path);
            QVERIFY(r.bind);
        }
    }

    // A request for each route's own path (captures filled in) reaches that route: none
    // is hidden behind an earlier capture.
    void noRouteHidesAnother()
    {
        Router router;
        for (const RouteSpec &r : routeTable())
            router.add(r.method, QString::fromLatin1(r.path), r.access, {});
        for (const RouteSpec &r : routeTable()) {
            QStringList segments = QString::fromLatin1(r.path).split(QLatin1Char('/'), Qt::SkipEmptyParts);
            for (QString &s : segments) {
                if (s.startsWith(QLatin1Char('{')))
                    s = QStringLiteral("12345");
            }
            const Router::Match m = router.match(r.method, segments);
            QVERIFY2(m.route, r.path);
            QCOMPARE(m.route->name, routeKey(QLatin1String(r.method), QLatin1String(r.path)));
        }
    }

    void apiDocListsTheTable()
    {
        const QString path = apiDocPath();
        QString doc = readFile(path);
        QVERIFY2(!doc.isEmpty(), qPrintable(path + QStringLiteral(" cannot be read (FLASHSALE_SOURCE_DIR)")));
        const int begin = doc.indexOf(BeginMarker);
        const int end = doc.indexOf(EndMarker);
        QVERIFY2(begin >= 0 && end > begin, "docs/api.md has no generated route list (<!-- routes:begin ... routes:end -->)");
        const QString current = doc.mid(begin, end + EndMarker.size() - begin);
        const QString expected = generatedList();
        if (current != expected && qEnvironmentVariableIntValue("FLASHSALE_UPDATE_DOCS") == 1) {
            doc.replace(begin, current.size(), expected);
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(doc.toUtf8());
            qInfo("rewrote the route list of %s", qPrintable(path));
            return;
        }
        QVERIFY2(current == expected,
                 qPrintable(QStringLiteral("docs/api.md's route list is not the table's; run this test with "
                                           "FLASHSALE_UPDATE_DOCS=1 to rewrite it. Expected:\n")
                            + expected));
    }

    // Every request a prose table names is a route, and its "who" is the route's access.
    void apiDocNamesOnlyRoutes()
    {
        QHash<QString, Access> routes;
        for (const RouteSpec &r : routeTable())
            routes.insert(routeKey(QLatin1String(r.method), QLatin1String(r.path)), r.access);
        const QString text = prose(readFile(apiDocPath()));
        static const QRegularExpression row(QStringLiteral("^\\| `(GET|POST|PUT|DELETE) (/[^`\\s?]*)[^|]*\\|([^|]*)\\|"),
                                            QRegularExpression::MultilineOption);
        int rows = 0;
        for (auto it = row.globalMatch(text); it.hasNext();) {
            const QRegularExpressionMatch m = it.next();
            const QString key = routeKey(m.captured(1), m.captured(2));
            QVERIFY2(routes.contains(key), qPrintable(QStringLiteral("docs/api.md describes %1, which no route serves").arg(key)));
            const auto who = accessOfWho(m.captured(3));
            if (who) {
                QVERIFY2(*who == routes.value(key),
                         qPrintable(QStringLiteral("docs/api.md says %1 is for %2; the table says %3")
                                        .arg(key, m.captured(3).trimmed(), QLatin1String(accessName(routes.value(key))))));
            }
            ++rows;
        }
        QVERIFY2(rows >= 25, qPrintable(QStringLiteral("only %1 request rows found in docs/api.md").arg(rows)));
    }

    // Every route is described in docs/api.md's prose, not only listed.
    void apiDocDescribesEveryRoute()
    {
        const QString text = prose(readFile(apiDocPath()));
        for (const RouteSpec &r : routeTable()) {
            const QString mention = QStringLiteral("`%1 %2").arg(QLatin1String(r.method), QLatin1String(r.path));
            QVERIFY2(text.contains(mention + QLatin1Char('`')) || text.contains(mention + QLatin1Char(' '))
                         || text.contains(mention + QLatin1Char('?')),
                     qPrintable(QStringLiteral("docs/api.md does not describe %1 %2").arg(QLatin1String(r.method), QLatin1String(r.path))));
        }
    }

    void openApiHasOneOperationPerRoute()
    {
        QJsonParseError error{};
        const QJsonDocument doc = QJsonDocument::fromJson(readFile(openApiPath()).toUtf8(), &error);
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(openApiPath() + QStringLiteral(": ") + error.errorString()));
        const QJsonObject paths = doc.object().value(QStringLiteral("paths")).toObject();
        QSet<QString> documented;
        for (auto p = paths.begin(); p != paths.end(); ++p) {
            const QJsonObject operations = p.value().toObject();
            for (auto o = operations.begin(); o != operations.end(); ++o) {
                if (QStringList({QStringLiteral("get"), QStringLiteral("post"), QStringLiteral("put"), QStringLiteral("delete")}).contains(o.key()))
                    documented.insert(routeKey(o.key().toUpper(), p.key()));
            }
        }
        QSet<QString> routed;
        for (const RouteSpec &r : routeTable()) {
            const QString key = routeKey(QLatin1String(r.method), QLatin1String(r.path));
            routed.insert(key);
            QVERIFY2(documented.contains(key), qPrintable(key + QStringLiteral(" is routed but not in openapi.json")));
            const QJsonObject op = paths.value(QLatin1String(r.path)).toObject().value(QString::fromLatin1(r.method).toLower()).toObject();
            const bool needsToken = !op.value(QStringLiteral("security")).toArray().isEmpty();
            QVERIFY2(needsToken == (r.access != Access::Anyone),
                     qPrintable(QStringLiteral("%1: openapi.json %2 a bearer token, the route is for %3")
                                    .arg(key, needsToken ? QStringLiteral("asks for") : QStringLiteral("does not ask for"),
                                         QLatin1String(accessName(r.access)))));
            if (r.access == Access::Admin)
                QVERIFY2(op.value(QStringLiteral("responses")).toObject().contains(QStringLiteral("403")),
                         qPrintable(key + QStringLiteral(" needs the admin role but openapi.json documents no 403")));
        }
        const QSet<QString> extra = documented - routed;
        QVERIFY2(extra.isEmpty(), qPrintable(QStringLiteral("openapi.json documents what no route serves: ")
                                             + QStringList(extra.begin(), extra.end()).join(QStringLiteral(", "))));
    }
};

QTEST_GUILESS_MAIN(TestRouteTable)
#include "tst_routetable.moc"
