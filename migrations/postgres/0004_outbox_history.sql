-- Sent (and dropped) notifications are kept for a while, then purged oldest first.
CREATE INDEX outbox_sent ON outbox (sent_at) WHERE sent_at IS NOT NULL;
