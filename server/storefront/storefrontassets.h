#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>

// The shoppers' storefront as it ships inside the binary (resources/static): the page
// and its assets, read once at start and only read afterwards, from every HTTP thread.
// Assets live under a folder named after a hash of all of them (/shop/v/<version>/), so
// they can be cached for a year: a new build has a new folder. The page names that
// folder through the {{assets}} placeholder and is never cached for long.
class StorefrontAssets
{
public:
    struct File
    {
        QByteArray body;
        QByteArray contentType;
        QByteArray etag;
    };

    static constexpr const char *Prefix = "/shop";

    // Reads every file under `resourceDir` (":/static"); false with `error` when the
    // page is missing.
    bool load(const QString &resourceDir, QString *error);

    const File &page() const { return m_page; }
    // An asset by file name, or nullptr.
    const File *asset(const QString &name) const;
    QString version() const { return m_version; }
    // "/shop/v/<version>", where the page finds its assets.
    QString assetBase() const;

    static QByteArray contentTypeOf(const QString &fileName);

private:
    File m_page;
    QHash<QString, File> m_assets;
    QString m_version;
};
