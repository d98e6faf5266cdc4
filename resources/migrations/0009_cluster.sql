-- Cluster mode (docs/cluster.md): several nodes on one PostgreSQL. Only clustered nodes
-- write these tables; on a single node they stay empty and reservations.node_id is NULL.

-- Every node that ever ran, with its heartbeat (a node silent for cluster/leaseTtlSeconds
-- is taken for dead) and the figures the console's cluster view shows.
CREATE TABLE cluster_nodes (
    node_id TEXT PRIMARY KEY,
    advertise_url TEXT NOT NULL DEFAULT '',
    started_at BIGINT NOT NULL,
    heartbeat_at BIGINT NOT NULL,
    stopped_at BIGINT,
    accepted_total BIGINT NOT NULL DEFAULT 0,
    purchase_rate DOUBLE PRECISION NOT NULL DEFAULT 0,
    starved INTEGER NOT NULL DEFAULT 0 -- 1: it turned shoppers away for lack of a lease lately
);

-- A sale's units that no node holds. Nodes lease from here; returned, expired and
-- released units come back here. unleased + SUM(stock_leases.granted) is the allocation.
CREATE TABLE sale_stock_pool (
    sale_id BIGINT PRIMARY KEY REFERENCES flash_sales(sale_id),
    unleased BIGINT NOT NULL CHECK (unleased >= 0)
);

-- What one node holds of one sale: granted units, of which `reserved` are held by its
-- durable reservations. The journal raises `reserved` in the same transaction as the
-- reservations, only while the lease is active and never above `granted`, so no node can
-- sell a unit it does not hold. When a lease expires or is handed back, granted - reserved
-- goes back to the pool and granted becomes reserved.
CREATE TABLE stock_leases (
    sale_id BIGINT NOT NULL REFERENCES flash_sales(sale_id),
    node_id TEXT NOT NULL,
    granted BIGINT NOT NULL DEFAULT 0 CHECK (granted >= 0),
    reserved BIGINT NOT NULL DEFAULT 0 CHECK (reserved >= 0 AND reserved <= granted),
    state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'expired', 'returned')),
    expires_at BIGINT NOT NULL,
    leases_taken BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (sale_id, node_id)
);

-- Units each shopper holds of a sale, across every node: the per-user limit is checked
-- against this row (locked) when a node commits a reservation.
CREATE TABLE sale_user_units (
    sale_id BIGINT NOT NULL REFERENCES flash_sales(sale_id),
    user_id BIGINT NOT NULL,
    units INTEGER NOT NULL CHECK (units >= 0),
    PRIMARY KEY (sale_id, user_id)
);

-- The node whose lease a reservation was sold from.
ALTER TABLE reservations ADD COLUMN node_id TEXT;
