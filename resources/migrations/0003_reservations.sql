-- The purchase journal: one row per accepted reservation, written by the group-commit
-- writer before the shopper hears 202. reservation_id is the orderId the shopper sees.
-- units_released = 1 once the units went back to the sale (failed, expired, compensated):
-- the flag is set in the same transaction that returns them, so it happens exactly once.
CREATE TABLE reservations (
    reservation_id TEXT PRIMARY KEY,
    sale_id BIGINT NOT NULL REFERENCES flash_sales(sale_id),
    user_id BIGINT NOT NULL REFERENCES users(user_id),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    idempotency_key TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'Pending' CHECK (status IN ('Pending', 'Confirmed', 'Failed', 'Expired')),
    units_released INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (sale_id, user_id, idempotency_key)
);
CREATE INDEX reservations_sale ON reservations(sale_id, status);
CREATE INDEX reservations_user ON reservations(user_id);
