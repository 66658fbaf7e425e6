-- Courier auto-detection answers (Kuaidi100's /autonumber/auto, a paid call) per tracking number, so that
-- a restart or another process sharing the database does not pay again for a number already detected.
-- Only answers are kept, never failures (those are retried). Rows older than the tracker's maximum age
-- are not used and are purged oldest first, in batches (see store::detections).
CREATE TABLE detections (
    number TEXT PRIMARY KEY,
    codes TEXT NOT NULL,             -- JSON array of Kuaidi100's courier codes, most likely first; may be []
    detected_at BIGINT NOT NULL      -- when Kuaidi100 answered
);
CREATE INDEX detections_by_age ON detections (detected_at);
