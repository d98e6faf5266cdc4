-- The order pipeline: the durable outbox of domain events, what each handler already
-- handled, payments (one per order: the order id is the idempotency key), the record of
-- sold units (the master-stock commitment, once per confirmed order) and units given
-- back to master stock by refunds after the sale ended.

-- Written in the same transaction as the change that causes the event; delivered at
-- least once by the dispatcher (delivered_at set when every handler took it).
CREATE TABLE outbox (
    event_id {{ID}},
    event_type TEXT NOT NULL,
    aggregate_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    delivered_at BIGINT,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX outbox_pending ON outbox(delivered_at, event_id);
CREATE INDEX outbox_aggregate ON outbox(aggregate_id, event_type);

-- Handlers are idempotent: an event id they have handled is skipped when redelivered.
CREATE TABLE handled_events (
    handler TEXT NOT NULL,
    event_id BIGINT NOT NULL,
    handled_at BIGINT NOT NULL,
    PRIMARY KEY (handler, event_id)
);

-- One order per reservation (order_id = reservation_id, already the PRIMARY KEY of
-- orders), one item per order.
ALTER TABLE orders ADD COLUMN payment_id TEXT;
ALTER TABLE orders ADD COLUMN failure_reason TEXT;
ALTER TABLE orders ADD COLUMN refunded_at BIGINT;
ALTER TABLE orders ADD COLUMN refund_id TEXT;
CREATE INDEX orders_status ON orders(status, updated_at);
CREATE UNIQUE INDEX order_items_one_per_order ON order_items(order_id);

-- status: Charging (a charge may be in flight: retry with the same key), Approved,
-- Declined, Failed (no usable answer after retries), Voided (an uncertain charge given
-- back), Refunded.
CREATE TABLE payments (
    order_id TEXT PRIMARY KEY REFERENCES orders(order_id),
    payment_id TEXT,
    amount_cents BIGINT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    refund_id TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- The master-stock commitment: the sale's allocation left master stock when it was
-- scheduled; a confirmed order records its sold units here exactly once (PRIMARY KEY).
-- returned_at is set when a refund gives them back.
CREATE TABLE stock_commitments (
    order_id TEXT PRIMARY KEY REFERENCES orders(order_id),
    sale_id BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    committed_at BIGINT NOT NULL,
    returned_at BIGINT,
    returned_to TEXT
);
CREATE INDEX stock_commitments_sale ON stock_commitments(sale_id);
