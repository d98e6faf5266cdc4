// The shoppers' storefront as the server sends it: the page at / and /shop with a strict
// Content-Security-Policy and the other security headers, never cached for long; the
// assets under a versioned folder, cached for a year with an ETag; no inline script in
// the page; nothing served under another version's name; the whole page under 100 KB;
// the API unchanged beside it.
#include "httpclient.h"
#include "storefront/storefrontmodule.h"
#include "testserver.h"

#include <QDir>
#include <QRegularExpression>
#include <QtTest>

class TestStorefront : public QObject
{
    Q_OBJECT

private:
    static void verifySecurityHeaders(const HttpResult &r)
    {
        const QByteArray csp = r.header("content-security-policy");
        QVERIFY2(!csp.isEmpty(), "no Content-Security-Policy");
        QVERIFY2(csp.contains("default-src 'none'"), csp.constData());
        QVERIFY2(csp.contains("script-src 'self'"), csp.constData());
        QVERIFY2(csp.contains("frame-ancestors 'none'"), csp.constData());
        QVERIFY2(csp.contains("base-uri 'none'"), csp.constData());
        QVERIFY2(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), csp.constData());
        QCOMPARE(r.header("x-content-type-options"), QByteArray("nosniff"));
        QCOMPARE(r.header("referrer-policy"), QByteArray("no-referrer"));
    }

    // The asset URLs the page names, e.g. /shop/v/0123abcd/main.js.
    static QStringList assetUrls(const QByteArray &page)
    {
        QStringList urls;
        static const QRegularExpression re(QStringLiteral("(?:src|href)=\"(/shop/v/[0-9a-f]{16}/[A-Za-z0-9._-]+)\""));
        auto it = re.globalMatch(QString::fromUtf8(page));
        while (it.hasNext())
            urls.append(it.next().captured(1));
        return urls;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<TestServer>();
        QVERIFY2(m_server->start(), qPrintable(m_server->error()));
        m_client = std::make_unique<HttpClient>(m_server->baseUrl());
    }

    void pageIsServedAtRootAndUnderItsPrefix()
    {
        for (const QString &path : {QStringLiteral("/"), QStringLiteral("/shop"), QStringLiteral("/shop/")}) {
            const HttpResult r = m_client->get(path);
            QCOMPARE(r.status, 200);
            QVERIFY2(r.header("content-type").startsWith("text/html"), r.header("content-type").constData());
            QVERIFY(r.body.contains("<!doctype html>"));
            verifySecurityHeaders(r);
            QCOMPARE(r.header("cache-control"), QByteArray("no-cache"));
            QVERIFY(!r.header("etag").isEmpty());
            QVERIFY2(!r.body.contains("{{assets}}"), "the placeholder was not filled in");
        }
    }

    void pageHasNoInlineScriptOrStyle()
    {
        const HttpResult r = m_client->get(QStringLiteral("/"));
        QCOMPARE(r.status, 200);
        static const QRegularExpression script(QStringLiteral("<script(?![^>]*\\bsrc=)[^>]*>"));
        QVERIFY2(!script.match(QString::fromUtf8(r.body)).hasMatch(), "a <script> without src");
        static const QRegularExpression handler(QStringLiteral("\\son[a-z]+\\s*="), QRegularExpression::CaseInsensitiveOption);
        QVERIFY2(!handler.match(QString::fromUtf8(r.body)).hasMatch(), "an inline event handler");
        QVERIFY2(!r.body.contains("style="), "an inline style");
        QVERIFY2(!r.body.contains("http://") && !r.body.contains("https://"), "something fetched from elsewhere");
    }

    void pageRevalidatesWith304()
    {
        const HttpResult first = m_client->get(QStringLiteral("/"));
        const HttpResult again = m_client->get(QStringLiteral("/"), {{"If-None-Match", first.header("etag")}});
        QCOMPARE(again.status, 304);
        QVERIFY(again.body.isEmpty());
        verifySecurityHeaders(again);
    }

    void assetsAreVersionedAndCachedForLong()
    {
        const HttpResult page = m_client->get(QStringLiteral("/"));
        const QStringList urls = assetUrls(page.body);
        QVERIFY2(urls.size() >= 3, qPrintable(urls.join(QLatin1Char(' ')))); // stylesheet, script, icon
        bool sawScript = false;
        for (const QString &url : urls) {
            const HttpResult r = m_client->get(url);
            QCOMPARE(r.status, 200);
            verifySecurityHeaders(r);
            QCOMPARE(r.header("cache-control"), QByteArray("public, max-age=31536000, immutable"));
            QVERIFY(!r.header("etag").isEmpty());
            if (url.endsWith(QLatin1String(".js"))) {
                QVERIFY2(r.header("content-type").startsWith("text/javascript"), r.header("content-type").constData());
                sawScript = true;
            }
            if (url.endsWith(QLatin1String(".css")))
                QVERIFY(r.header("content-type").startsWith("text/css"));
            const HttpResult cached = m_client->get(url, {{"If-None-Match", r.header("etag")}});
            QCOMPARE(cached.status, 304);
        }
        QVERIFY(sawScript);
    }

    void otherVersionsAndUnknownFilesAre404()
    {
        const HttpResult page = m_client->get(QStringLiteral("/"));
        const QStringList urls = assetUrls(page.body);
        QVERIFY(!urls.isEmpty());
        QString stale = urls.first();
        stale.replace(QRegularExpression(QStringLiteral("/v/[0-9a-f]{16}/")), QStringLiteral("/v/0000000000000000/"));
        const HttpResult r = m_client->get(stale);
        QCOMPARE(r.status, 404);
        QVERIFY(r.isProblem());
        QCOMPARE(r.header("cache-control"), QByteArray("no-store"));
        QString missing = urls.first().section(QLatin1Char('/'), 0, -2) + QStringLiteral("/no-such-file.js");
        QCOMPARE(m_client->get(missing).status, 404);
        QCOMPARE(m_client->get(QStringLiteral("/shop/v/") + urls.first().section(QLatin1Char('/'), 3, 3) + QStringLiteral("/..%2Fmigrations%2F0001_initial.sql")).status, 404);
    }

    void theWholePageStaysUnder100KB()
    {
        // Everything the page can load: the page itself and every asset in the binary.
        qint64 total = m_client->get(QStringLiteral("/")).body.size();
        const QDir dir(QStringLiteral(":/static"));
        const QStringList files = dir.entryList(QDir::Files);
        QVERIFY(files.size() >= 5);
        for (const QString &name : files) {
            if (name == QLatin1String("index.html"))
                continue;
            const HttpResult r = m_client->get(QStringLiteral("/shop/v/") + m_server->server().module<StorefrontModule>()->assets().version()
                                               + QLatin1Char('/') + name);
            QCOMPARE(r.status, 200);
            total += r.body.size();
        }
        QVERIFY2(total < 100 * 1024, qPrintable(QStringLiteral("%1 bytes").arg(total)));
        qInfo("storefront: %lld bytes uncompressed, page and assets", total);
    }

    void writesToThePageAreRefused()
    {
        const HttpResult r = m_client->request("POST", QStringLiteral("/"), "x");
        QCOMPARE(r.status, 405);
        QVERIFY(r.isProblem());
    }

    void theApiIsUnchangedBesideThePage()
    {
        const HttpResult sales = m_client->get(QStringLiteral("/sales"));
        QCOMPARE(sales.status, 200);
        QVERIFY(sales.header("content-type").startsWith("application/json"));
        QCOMPARE(m_client->get(QStringLiteral("/no/such/thing")).status, 404);
    }

    void cleanupTestCase()
    {
        m_client.reset();
        m_server.reset();
    }

private:
    std::unique_ptr<TestServer> m_server;
    std::unique_ptr<HttpClient> m_client;
};

QTEST_MAIN(TestStorefront)
#include "tst_storefront.moc"
