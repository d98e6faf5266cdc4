-- Fewer index entries per purchase, and the scans that ran over whole tables get an index
-- that holds only what they look for (issue 16, docs/performance.md "Partial indexes").
--
-- outbox_aggregate indexed every event by (aggregate_id, event_type), two entries per
-- purchase, for one reader: the check that a sale's FlashSaleStarted was written once.
-- outbox_pending indexed every event by (delivered_at, event_id), so marking one delivered
-- moved its entry; the dispatcher reads only the undelivered ones.
DROP INDEX outbox_aggregate;
CREATE INDEX outbox_sale_started ON outbox(aggregate_id) WHERE event_type = 'FlashSaleStarted';
DROP INDEX outbox_pending;
CREATE INDEX outbox_undelivered ON outbox(event_id) WHERE delivered_at IS NULL;

-- reservations_sale (sale_id, status) served no scan by status alone: the order scan and
-- the reconciler's overdue count (status = 'Pending') read the whole table every round.
-- Lookups by sale use the leading sale_id of UNIQUE (sale_id, user_id, idempotency_key).
-- An index of the pending reservations alone holds the orders the saga has not settled:
-- a few in steady state, a whole burst's while the group commit keeps the writer (the scan
-- reads it in index order, 5000 deep); a settled order leaves it instead of moving in it.
DROP INDEX reservations_sale;
CREATE INDEX reservations_pending ON reservations(expires_at) WHERE status = 'Pending';

-- The order scan looks every round for charges that an order which failed or expired must
-- not keep. It read every payment and looked up its reservation; it now starts from the
-- failed and expired reservations, which an index of those alone holds.
CREATE INDEX reservations_unsettled ON reservations(reservation_id) WHERE status IN ('Failed', 'Expired');
