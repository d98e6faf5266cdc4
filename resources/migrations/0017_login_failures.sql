-- Accounts that resist abuse (issue 14).
--
-- Wrong passwords are counted per e-mail and client address, no longer per account
-- (users.failed_logins and users.locked_until are left unused): an attacker's failures
-- lock the attacker's address out of the account, never the owner signing in from
-- elsewhere. lock_ms is the length of the pair's last lockout: the next one doubles it
-- (server/accounts/loginlockout.h). E-mails without an account are counted here too.
CREATE TABLE login_failures (
    email TEXT NOT NULL,
    address TEXT NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0,
    lock_ms BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT NOT NULL DEFAULT 0,
    last_failure_at BIGINT NOT NULL,
    PRIMARY KEY (email, address)
);
CREATE INDEX login_failures_last_failure ON login_failures(last_failure_at);

-- E-mails are now normalised (Unicode NFKC, case folding) and look-alikes refused, which
-- SQL cannot do on both dialects: rows stored before are email_form 0 (unchecked), and
-- the accounts module checks them at its next start (1: normalised, 2: a look-alike of
-- another account or not an address under the new rules, left as it was).
ALTER TABLE users ADD COLUMN email_form INTEGER NOT NULL DEFAULT 0;
CREATE INDEX users_email_unchecked ON users(email_form) WHERE email_form = 0;
