#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>

namespace Api {

// Why a request to the server failed: no answer at all, an answer that is not what the
// contract promises, or an RFC 9457 problem details answer (with the per-field `errors`
// map of a 422).
struct Error
{
    enum class Kind {
        None,            // no error
        Network,         // no HTTP answer: refused, timed out, aborted
        Http,            // an HTTP error status, with problem details when the server sent them
        InvalidResponse, // a success status whose body does not match the contract
    };

    Kind kind = Kind::None;
    int status = 0;
    QString type;
    QString title;
    QString detail;
    QHash<QString, QString> fieldErrors; // JSON field name -> message

    bool isError() const { return kind != Kind::None; }
    bool isValidation() const { return status == 422 && !fieldErrors.isEmpty(); }
    // One sentence for a person: the detail, else the title, else what happened.
    QString message() const;

    static Error network(const QString &reason);
    static Error invalidResponse(const QString &reason);
    // Builds the error for an HTTP answer with an error status; reads problem details
    // when the body has them, whatever its content type says.
    static Error fromHttp(int status, const QByteArray &body);
};

} // namespace Api
