-- Forum topics: a subscription made in a forum topic is pushed to that topic (Telegram's
-- message_thread_id), and each queued notice carries the topic it goes to. NULL: the chat itself.
ALTER TABLE subscriptions ADD COLUMN topic BIGINT;
ALTER TABLE outbox ADD COLUMN topic BIGINT;
