-- One random-position index fewer in every purchase commit (issue 16, docs/performance.md
-- "The reservations' user index dropped").
--
-- reservations_user (user_id) took an entry at a random place for every purchase, so a
-- group commit of a few hundred purchases dirtied a few hundred of its pages, each written
-- to the WAL (or the heap's index) again. Its one reader is a shopper's own order list,
-- which joins flash_sale_items: the planners walk the sales (few) and look each one up by
-- (sale_id, user_id), the leading columns of UNIQUE (sale_id, user_id, idempotency_key).
-- tests/unit/tst_storage checks that plan on both databases.
DROP INDEX reservations_user;
