#pragma once

#include <QByteArray>
#include <QString>

// A server that a test or the bench starts as a child reports under its sanitizer on its
// standard error only, and a report at exit (a race seen while stopping, a leak) changes
// nothing the caller checks. Called once the child has ended: a report there ends this
// process too (qFatal), with the report, so the suite or the bench run fails.
namespace SanitizerReport {

// Whether `standardError` holds a report of ASan, LSan, TSan or UBSan.
bool contains(const QByteArray &standardError);
// qFatal with `standardError` when it holds a report; `whose` names the child.
void failOn(const QByteArray &standardError, const QString &whose);
// The same for a child whose standard error went to a file.
void failOnFile(const QString &standardErrorFile, const QString &whose);

} // namespace SanitizerReport
