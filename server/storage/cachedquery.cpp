#include "cachedquery.h"

#include "database.h"

#include <optional>

namespace {

// Statements with their values written into the SQL text would fill the cache; a
// connection that has seen this many different statements starts its cache again.
constexpr int maxStatementsPerConnection = 128;

} // namespace

CachedQuery::CachedQuery(CachedQuery &&other) noexcept
    : m_query(std::move(other.m_query))
    , m_sql(std::move(other.m_sql))
    , m_connection(std::move(other.m_connection))
    , m_generation(other.m_generation)
    , m_keep(other.m_keep)
{
    other.m_keep = false;
}

CachedQuery::~CachedQuery()
{
    if (!m_keep)
        return;
    DatabaseDetail::StatementCache *cache = DatabaseDetail::statementCache(m_connection);
    if (!cache || cache->generation != m_generation)
        return; // the connection closed or reopened meanwhile: the statement is gone
    m_query.finish(); // rows released (SQLite: the statement reset, no read lock held)
    if (cache->idle.size() >= maxStatementsPerConnection && !cache->idle.contains(m_sql))
        cache->clear();
    cache->idle[m_sql].push_back(std::move(m_query));
}

CachedQuery execCached(const QSqlDatabase &db, const QString &sql, const QVariantList &bind)
{
    Q_ASSERT(!bind.isEmpty());
    std::optional<DatabaseDetail::WriterGuard> writer;
    if (!DatabaseDetail::isReadOnlyStatement(sql))
        writer.emplace(db);
    const QString connection = db.connectionName();
    DatabaseDetail::StatementCache *cache = DatabaseDetail::statementCache(connection);
    std::optional<QSqlQuery> kept;
    if (cache) {
        const auto it = cache->idle.find(sql);
        if (it != cache->idle.end() && !it->empty()) {
            kept.emplace(std::move(it->back()));
            it->pop_back();
        }
    }
    const bool prepared = kept.has_value();
    CachedQuery q(prepared ? std::move(*kept) : QSqlQuery(db), sql, connection, cache ? cache->generation : 0);
    const auto fail = [&](const char *what) { return DatabaseDetail::statementFailed(db, q.m_query, what, sql); };
    if (!prepared && !q->prepare(sql))
        throw fail("prepare");
    for (int i = 0; i < bind.size(); ++i)
        q->bindValue(i, bind.at(i));
    if (!q->exec())
        throw fail("query");
    q.m_keep = cache != nullptr;
    return q;
}
