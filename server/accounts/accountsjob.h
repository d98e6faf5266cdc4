#pragma once

#include "http/httpresponse.h"

#include <QSqlDatabase>

#include <functional>

class Database;
class DbExecutor;
class Responder;

// Runs `work` on a database thread with that thread's connection and sends what it
// returns. A database failure or any other exception is logged with the request id and
// answered 503, so a handler never leaves a request hanging. Used for everything that
// touches the database or hashes a password: neither may run on an HTTP thread.
void postAccountsJob(DbExecutor &executor, const Database &database, const Responder &reply, const QString &what,
                     std::function<HttpResponse(const QSqlDatabase &db)> work);
