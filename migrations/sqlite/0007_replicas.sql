-- The outbox's claims, as on PostgreSQL (see src/store/outbox.rs). SQLite serves one process, which
-- never claims: the column stays empty; it exists so that the store's statements are the same on both.
ALTER TABLE outbox ADD COLUMN claimed_until INTEGER;
