#pragma once

#include <QString>

#include <functional>

// Who is calling, as proven by a verified access token.
struct Principal
{
    qint64 userId = 0;
    QString email;
    QString role; // "shopper" or "admin"
    qint64 expiresAt = 0; // the access token's expiry, seconds since the epoch
    bool isAdmin() const { return role == QLatin1String("admin"); }
};

// Verifies bearer tokens for the router. Implemented by the accounts module.
class Authenticator
{
public:
    virtual ~Authenticator() = default;
    // Returns false with a reason (shown to the caller) when the token is not acceptable.
    virtual bool verify(const QByteArray &bearerToken, Principal *principal, QString *reason) const = 0;
};

// Whether the account behind a verified token still exists. A token outlives an account
// deleted after it was issued; the paths that write a shopper's id into a journal
// (purchases, queue joins) ask here first, so such a request is refused 401 before it
// reaches the journal and cannot fail a group commit. Implemented by the accounts module.
class AccountCheck
{
public:
    enum class Answer { Exists, Missing, Unknown }; // Unknown: the database could not be asked
    virtual ~AccountCheck() = default;
    // From memory, any thread: true when the account is known to exist.
    virtual bool isKnown(qint64 userId) const = 0;
    // Asks the database on a database thread and calls `then` there.
    virtual void check(qint64 userId, std::function<void(Answer)> then) const = 0;
    // A write for this account failed: ask the database again in the background and
    // forget the account if it is gone.
    virtual void recheck(qint64 userId) const = 0;
};
