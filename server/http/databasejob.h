#pragma once

#include "httpresponse.h"

#include <QSqlDatabase>
#include <QString>

#include <functional>
#include <optional>

class DbExecutor;
class Responder;

// How every handler runs its database work: `work` runs on one of the executor's database
// threads with that thread's connection, and what it returns is sent (nothing, when it
// handed the request on to something that answers later, such as a journal). A database failure
// or any other exception (which would otherwise escape a QThreadPool task) is logged as
// "<name>.failed" with the request id and answered 503 with `failure` as the detail, so a
// handler never leaves a request hanging. Domain refusals found inside the transaction
// (not enough stock, a conflict) are answers: `work` returns them itself.
void postDatabaseJob(DbExecutor &executor, const Responder &reply, const QString &name, const QString &failure,
                     std::function<std::optional<HttpResponse>(const QSqlDatabase &db)> work);
// The same answer and failure handling for a job already running on a pool thread of
// another kind (a saga worker calling the payment gateway, say).
void answerFromJob(const Responder &reply, const QString &name, const QString &failure, const std::function<std::optional<HttpResponse>()> &work);
