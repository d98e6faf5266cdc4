-- Who did what and when, for operator actions (start a sale now, end it early, pause
-- admission, change the admission rate, refunds...). Append-only.
CREATE TABLE audit_log (
    audit_id {{ID}},
    at BIGINT NOT NULL,
    actor_user_id BIGINT NOT NULL,
    actor_email TEXT NOT NULL,
    action TEXT NOT NULL,
    sale_id BIGINT,
    target TEXT NOT NULL DEFAULT '',
    details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_sale ON audit_log(sale_id, at);
