// Path parameters and the router: a request's method and target, read as HttpWorker
// reads them (RequestTarget::parse: segments split before any decoding) and matched by
// the Router against every route the server serves, with its strict {captures}. The
// routes come from resources/api/openapi.json, which tests/unit/tst_routetable.cpp holds
// equal to the server's route table; QJsonObject lists them sorted, which puts a literal
// segment before a {capture} in the same place, as the table does.
#include "fuzzcheck.h"
#include "http/requesttarget.h"
#include "http/router.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdint>

namespace {

const Router &serverRoutes()
{
    static const Router router = [] {
        Router r;
        QFile file(QStringLiteral(FLASHSALE_SOURCE_DIR "/resources/api/openapi.json"));
        FUZZ_CHECK(file.open(QIODevice::ReadOnly));
        const QJsonObject paths = QJsonDocument::fromJson(file.readAll()).object().value(QStringLiteral("paths")).toObject();
        for (auto path = paths.begin(); path != paths.end(); ++path) {
            const QJsonObject methods = path.value().toObject();
            for (auto method = methods.begin(); method != methods.end(); ++method)
                r.add(method.key().toUpper().toLatin1(), path.key(), Access::Anyone, {});
        }
        FUZZ_CHECK(r.routes().size() >= 30);
        return r;
    }();
    return router;
}

// What a handler may assume of a captured segment: plain unreserved characters, and an
// all-digit {id} that names exactly one number ("1", never "01" or "+1"; other captures,
// such as a storefront build's hex version, may start with zeros).
void checkCapture(const QString &name, const QString &value)
{
    FUZZ_CHECK(!value.isEmpty() && value.size() <= 64);
    bool allDigits = true;
    for (QChar c : value) {
        FUZZ_CHECK(c.unicode() < 128 && (c.isLetterOrNumber() || QStringLiteral("-._~").contains(c)));
        allDigits = allDigits && c.isDigit();
    }
    if (allDigits && name == QLatin1String("id")) {
        bool ok = false;
        const qint64 id = value.toLongLong(&ok);
        FUZZ_CHECK(ok && id >= 0 && QString::number(id) == value);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input(reinterpret_cast<const char *>(data), qsizetype(size));
    const qsizetype space = input.indexOf(' ');
    const QByteArray method = space < 0 ? QByteArray("GET") : input.left(space);
    const QByteArray target = space < 0 ? input : input.mid(space + 1);

    const RequestTarget parsed = RequestTarget::parse(target);
    for (const QString &segment : parsed.segments)
        FUZZ_CHECK(!segment.contains(QLatin1Char('/')));
    const Router::Match m = serverRoutes().match(method, parsed.segments);
    if (m.route) {
        FUZZ_CHECK(m.route->method == method || (method == "HEAD" && m.route->method == "GET"));
        FUZZ_CHECK(m.route->pattern.size() == parsed.segments.size());
        for (auto it = m.params.cbegin(); it != m.params.cend(); ++it)
            checkCapture(it.key(), it.value());
    } else {
        FUZZ_CHECK(m.params.isEmpty());
        FUZZ_CHECK(!m.allowedMethods.contains(method));
    }
    return 0;
}
