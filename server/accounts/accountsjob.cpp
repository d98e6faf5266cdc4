#include "accountsjob.h"

#include "http/responder.h"
#include "storage/database.h"
#include "storage/dbexecutor.h"
#include "telemetry/logger.h"

#include <exception>

namespace {

void fail(const Responder &reply, const QString &what, const QString &why)
{
    Log::error(QStringLiteral("accounts.job.failed"), {{QStringLiteral("job"), what},
                                                       {QStringLiteral("error"), why},
                                                       {QStringLiteral("requestId"), QString::fromLatin1(reply.requestId())}});
    reply.send(Problem::unavailable(QStringLiteral("The account service could not finish the request; try again.")));
}

} // namespace

void postAccountsJob(DbExecutor &executor, const Database &database, const Responder &reply, const QString &what,
                     std::function<HttpResponse(const QSqlDatabase &db)> work)
{
    executor.post([&database, reply, what, work = std::move(work)] {
        try {
            const QSqlDatabase db = database.connection();
            if (!db.isOpen())
                throw DatabaseError{QStringLiteral("cannot open database: ") + db.lastError().text()};
            reply.send(work(db));
        } catch (const DatabaseError &e) {
            fail(reply, what, e.message);
        } catch (const std::exception &e) {
            fail(reply, what, QString::fromUtf8(e.what()));
        }
    });
}
