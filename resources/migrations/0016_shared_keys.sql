-- The secrets every node of a cluster signs and verifies with (access tokens; admission
-- tokens and join challenges), shared through the database so a node joins with nothing
-- copied by hand: the first node to start publishes the key of its data folder, every
-- later one adopts the published key. `accepted` holds keys still accepted for
-- verification while a rotation is under way (docs/reliability.md); base64, one per line.
-- On a single node these rows are written too and read back: the node's own keys.
CREATE TABLE shared_keys (
    name TEXT PRIMARY KEY,
    key_material TEXT NOT NULL,
    accepted TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
