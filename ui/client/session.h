#pragma once

#include <QDateTime>
#include <QString>

namespace Api {

// The signed-in merchant, as the console knows them after POST /token.
struct Session
{
    QString email;
    QDateTime accessTokenExpiry;
};

} // namespace Api
