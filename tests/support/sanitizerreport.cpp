#include "sanitizerreport.h"

#include <QFile>

namespace SanitizerReport {

bool contains(const QByteArray &standardError)
{
    for (const char *marker : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "WARNING: ThreadSanitizer", ": runtime error: "}) {
        if (standardError.contains(marker))
            return true;
    }
    return false;
}

void failOn(const QByteArray &standardError, const QString &whose)
{
    if (contains(standardError))
        qFatal("%s reported under its sanitizer:\n%s", qPrintable(whose), standardError.constData());
}

void failOnFile(const QString &standardErrorFile, const QString &whose)
{
    QFile f(standardErrorFile);
    if (f.open(QIODevice::ReadOnly))
        failOn(f.readAll(), whose);
}

} // namespace SanitizerReport
