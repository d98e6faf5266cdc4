#pragma once

// PostgreSQL's own clock in epoch milliseconds, as SQL text to put in a query: nodes of a
// cluster compare heartbeats and lease expiries on the database's clock, never on their
// own, so that clocks that drift apart still agree on what expired.
namespace DatabaseClock {

inline constexpr const char *nowMsSql = "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT";

} // namespace DatabaseClock
