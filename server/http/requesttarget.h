#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QUrlQuery>

// A request's target (origin-form, as the client sent it) read into what routing and the
// handlers use. The path is split into segments before any percent-decoding, so %2F never
// makes a new segment; an empty segment inside the path (//) stays and matches no route;
// one leading and one trailing slash are forgiven.
struct RequestTarget
{
    QString path;         // percent-decoded, for logs and messages
    QStringList segments; // as sent, undecoded: what the Router matches
    QUrlQuery query;

    static RequestTarget parse(const QByteArray &target);
};
