-- The virtual waiting room. Tickets are numbered per sale in arrival order (1, 2, 3...
-- without gaps) and written by the waiting room's group-commit writer before the shopper
-- hears the number. lane 0 is the normal lane, 1 the low-priority lane (joins faster
-- than a human). admitted_at is set, in the same transaction that raises the lane's
-- admitted count, when the ticket's turn came.
CREATE TABLE waiting_room_tickets (
    sale_id BIGINT NOT NULL REFERENCES flash_sales(sale_id),
    ticket BIGINT NOT NULL CHECK (ticket > 0),
    user_id BIGINT NOT NULL REFERENCES users(user_id),
    lane INTEGER NOT NULL DEFAULT 0 CHECK (lane IN (0, 1)),
    client_address TEXT NOT NULL DEFAULT '',
    joined_at BIGINT NOT NULL,
    admitted_at BIGINT,
    PRIMARY KEY (sale_id, ticket),
    UNIQUE (sale_id, user_id)
);

-- One row per sale with a waiting room: the merchant's settings and how far admission
-- went. normal_admitted / low_admitted count the tickets admitted from each lane, in
-- admission order. A shuffled pre-queue is stored as its seed and the number of tickets
-- it covered (the permutation is recomputed on start). required: NULL follows the
-- server's waitingRoom/required.
CREATE TABLE waiting_room_state (
    sale_id BIGINT PRIMARY KEY REFERENCES flash_sales(sale_id),
    admission_rate DOUBLE PRECISION NOT NULL,
    paused INTEGER NOT NULL DEFAULT 0,
    required INTEGER,
    pre_queue_order TEXT NOT NULL DEFAULT 'arrival' CHECK (pre_queue_order IN ('arrival', 'shuffled')),
    shuffle_seed BIGINT,
    shuffled_count BIGINT NOT NULL DEFAULT 0,
    normal_admitted BIGINT NOT NULL DEFAULT 0,
    low_admitted BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL
);
