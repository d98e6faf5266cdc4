-- One row that GET /health/ready updates in a transaction of its own: the server is
-- ready only while the database takes a write (a failing disk, a full disk or a stopped
-- PostgreSQL makes it 503), not merely while a connection is open.
CREATE TABLE health_probe (
    probe_id INTEGER PRIMARY KEY,
    checked_at BIGINT NOT NULL
);
INSERT INTO health_probe(probe_id, checked_at) VALUES (1, 0);
