#include "storefrontassets.h"

#include "http/etag.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>

#include <algorithm>

namespace {

const QString PageName = QStringLiteral("index.html");

} // namespace

bool StorefrontAssets::load(const QString &resourceDir, QString *error)
{
    QDir dir(resourceDir);
    QStringList names = dir.entryList(QDir::Files);
    std::sort(names.begin(), names.end());
    if (!names.contains(PageName)) {
        *error = QStringLiteral("the storefront page %1/%2 is not in the binary").arg(resourceDir, PageName);
        return false;
    }
    QCryptographicHash all(QCryptographicHash::Sha256);
    QByteArray template_;
    for (const QString &name : names) {
        QFile f(dir.filePath(name));
        if (!f.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("cannot read %1").arg(f.fileName());
            return false;
        }
        const QByteArray body = f.readAll();
        if (name == PageName) {
            template_ = body;
            continue;
        }
        all.addData(name.toUtf8());
        all.addData(QByteArrayView("\0", 1));
        all.addData(body);
        m_assets.insert(name, File{body, contentTypeOf(name), etagOf(body)});
    }
    m_version = QString::fromLatin1(all.result().toHex().left(16));
    QByteArray page = template_;
    page.replace("{{assets}}", assetBase().toUtf8());
    m_page = File{page, contentTypeOf(PageName), etagOf(page)};
    return true;
}

const StorefrontAssets::File *StorefrontAssets::asset(const QString &name) const
{
    auto it = m_assets.constFind(name);
    return it == m_assets.constEnd() ? nullptr : &it.value();
}

QString StorefrontAssets::assetBase() const
{
    return QString::fromLatin1(Prefix) + QStringLiteral("/v/") + m_version;
}

QByteArray StorefrontAssets::contentTypeOf(const QString &fileName)
{
    const QString suffix = fileName.section(QLatin1Char('.'), -1).toLower();
    if (suffix == QLatin1String("html"))
        return "text/html; charset=utf-8";
    if (suffix == QLatin1String("css"))
        return "text/css; charset=utf-8";
    if (suffix == QLatin1String("js") || suffix == QLatin1String("mjs"))
        return "text/javascript; charset=utf-8";
    if (suffix == QLatin1String("svg"))
        return "image/svg+xml";
    if (suffix == QLatin1String("png"))
        return "image/png";
    if (suffix == QLatin1String("ico"))
        return "image/x-icon";
    if (suffix == QLatin1String("json") || suffix == QLatin1String("webmanifest"))
        return "application/json";
    if (suffix == QLatin1String("txt"))
        return "text/plain; charset=utf-8";
    return "application/octet-stream";
}
