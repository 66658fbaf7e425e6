-- Kuaidi100 push subscriptions, per parcel (one subscription serves every chat watching it).
-- push_state: NULL never asked for; 'retry' a subscribe call is due at push_next_at; 'subscribing' a call
-- is in flight (push_next_at is its lease: past it, another try may start); 'subscribed' pushes come;
-- 'refused' Kuaidi100 will not push it (the parcel is polled); 'ended' Kuaidi100 sent shutdown or abort.
ALTER TABLE parcels ADD COLUMN push_state TEXT;
ALTER TABLE parcels ADD COLUMN push_next_at BIGINT;
ALTER TABLE parcels ADD COLUMN push_attempts BIGINT NOT NULL DEFAULT 0;
-- Billed subscribe calls made for this parcel.
ALTER TABLE parcels ADD COLUMN push_calls BIGINT NOT NULL DEFAULT 0;
-- When the last push was taken in.
ALTER TABLE parcels ADD COLUMN pushed_at BIGINT;
CREATE INDEX parcels_push_due ON parcels (push_next_at) WHERE push_next_at IS NOT NULL;
