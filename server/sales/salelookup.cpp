#include "salelookup.h"

namespace SaleLookup {

void answerNoSale(const HttpRequest &request, const Responder &reply)
{
    reply.send(Problem::notFound(QStringLiteral("No sale %1.").arg(request.param(QStringLiteral("id")))));
}

} // namespace SaleLookup
