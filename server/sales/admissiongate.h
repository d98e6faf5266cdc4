#pragma once

#include <QByteArray>
#include <QString>

// Decides whether a shopper may buy now (the waiting room's admission token). The
// purchase path asks it, on the HTTP thread, before the atomic step: it must be fast,
// thread-safe and do no I/O. The module that implements it is found at start; with none,
// every authenticated shopper may buy.
class AdmissionGate
{
public:
    virtual ~AdmissionGate() = default;
    // `admissionToken` is the Admission-Token header (may be empty). On refusal, `reason`
    // is shown to the shopper in a 403 problem.
    virtual bool admits(qint64 saleId, qint64 userId, const QByteArray &admissionToken, QString *reason) const = 0;
};
