#include "databasejob.h"

#include "responder.h"
#include "storage/database.h"
#include "storage/dbexecutor.h"
#include "telemetry/logger.h"

#include <QSqlError>

#include <exception>
#include <utility>

namespace {

void fail(const Responder &reply, const QString &name, const QString &failure, const QString &why)
{
    Log::error(name + QStringLiteral(".failed"),
               {{QStringLiteral("error"), why}, {QStringLiteral("requestId"), QString::fromLatin1(reply.requestId())}});
    reply.send(Problem::unavailable(failure));
}

} // namespace

void answerFromJob(const Responder &reply, const QString &name, const QString &failure, const std::function<std::optional<HttpResponse>()> &work)
{
    try {
        if (std::optional<HttpResponse> answer = work())
            reply.send(std::move(*answer));
    } catch (const DatabaseError &e) {
        fail(reply, name, failure, e.message);
    } catch (const std::exception &e) {
        fail(reply, name, failure, QString::fromUtf8(e.what()));
    }
}

void postDatabaseJob(DbExecutor &executor, const Responder &reply, const QString &name, const QString &failure,
                     std::function<std::optional<HttpResponse>(const QSqlDatabase &db)> work)
{
    executor.post([&database = executor.database(), reply, name, failure, work = std::move(work)] {
        answerFromJob(reply, name, failure, [&]() -> std::optional<HttpResponse> {
            const QSqlDatabase db = database.connection();
            if (!db.isOpen())
                throw DatabaseError{QStringLiteral("cannot open database: ") + db.lastError().text()};
            return work(db);
        });
    });
}
