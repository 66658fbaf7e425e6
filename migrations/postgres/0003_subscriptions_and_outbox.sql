-- Subscriptions: a chat watching a parcel. What the chat has already been told is kept per
-- subscription (lines and state seen), so a new subscriber is never told the past and an old one is
-- never told twice.
CREATE TABLE subscriptions (
    id BIGSERIAL PRIMARY KEY,
    chat_id BIGINT NOT NULL,
    parcel_id BIGINT NOT NULL REFERENCES parcels (id) ON DELETE CASCADE,
    lang TEXT NOT NULL,                 -- the subscriber's language when the chat chose none
    active BIGINT NOT NULL DEFAULT 1,
    seen_lines BIGINT NOT NULL DEFAULT 0,
    seen_state TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (chat_id, parcel_id)
);
CREATE INDEX subscriptions_active_by_parcel ON subscriptions (parcel_id) WHERE active = 1;
CREATE INDEX subscriptions_active_by_chat ON subscriptions (chat_id) WHERE active = 1;

-- Watching: when a watched parcel is next due (NULL = not watched), and what the policy needs.
ALTER TABLE parcels ADD COLUMN watch_next_at BIGINT;
ALTER TABLE parcels ADD COLUMN watch_last_change_at BIGINT;
ALTER TABLE parcels ADD COLUMN watch_no_result_since BIGINT;
ALTER TABLE parcels ADD COLUMN watch_no_result_streak BIGINT NOT NULL DEFAULT 0;
CREATE INDEX parcels_watch_due ON parcels (watch_next_at) WHERE watch_next_at IS NOT NULL;

-- Notifications to send: written in the same transaction as the subscription state they advance,
-- marked sent only after Telegram accepted them.
CREATE TABLE outbox (
    id BIGSERIAL PRIMARY KEY,
    chat_id BIGINT NOT NULL,
    parcel_id BIGINT NOT NULL,
    lang TEXT NOT NULL,
    payload TEXT NOT NULL,              -- JSON of watch::Notice
    created_at BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    first_failure_at BIGINT,
    sent_at BIGINT,
    dropped BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE sent_at IS NULL;
