-- The spending cap (issue 16, item 3). Billed Kuaidi100 calls (queries and push subscribe calls) per
-- minute, so that KUAIDI100_DAILY_BUDGET is one rolling 24-hour count across every replica. A row per
-- minute keeps the count a sum of at most 1,441 rows however many calls a day makes; a call is
-- counted until its minute has wholly left the window, so the count never undercounts.
CREATE TABLE billed_calls (
    minute BIGINT PRIMARY KEY,
    calls BIGINT NOT NULL
);

-- Who subscribed (the Telegram or console user id), for MAX_SUBSCRIPTIONS_PER_USER across all chats.
-- NULL for subscriptions made before this column existed: they count for nobody.
ALTER TABLE subscriptions ADD COLUMN subscribed_by BIGINT;
CREATE INDEX subscriptions_by_user ON subscriptions (subscribed_by, active);
