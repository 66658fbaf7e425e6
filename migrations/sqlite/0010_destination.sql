-- Arrival estimates (issue 15, item 5). What each subscription was last told of the parcel's arrival
-- estimate (epoch ms of the expected arrival) and when it was last told a moved estimate on its own,
-- so that a changed estimate is pushed at most once a day. The destination city sent as `to` needs no
-- column: it is the stored answer's routeInfo.to. Numbered 0010 so as not to clash with 0009_labels.
ALTER TABLE subscriptions ADD COLUMN seen_estimate BIGINT;
ALTER TABLE subscriptions ADD COLUMN estimate_told_at BIGINT;
