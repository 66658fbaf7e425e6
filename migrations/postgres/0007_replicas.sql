-- Replicas on one database (see src/store/budget.rs, src/store/outbox.rs).
--
-- outbox.claimed_until: a replica sending a notice holds it until then; past it (the replica died),
-- any replica may send it. Kept apart from next_attempt_at so that a notice taken over keeps its place
-- in the queue.
ALTER TABLE outbox ADD COLUMN claimed_until BIGINT;

-- Budgets shared by every replica on this database.
--
-- send_slots: for each budget (Telegram's overall pace, one chat, one group) the times of its latest
-- `most` reserved sends, in microseconds of the database's clock, so that the replicas, whose clocks
-- may differ, space their sends on one clock.
CREATE TABLE send_slots (
    budget TEXT PRIMARY KEY,
    slots BIGINT[] NOT NULL DEFAULT '{}'
);

-- Reserves the earliest send in `budget` that keeps at most `most` sends in any `per_us` and comes
-- after every send reserved before it; returns how long (µs) the caller must wait for it. The row lock
-- serialises concurrent reservations of one budget, across replicas.
CREATE FUNCTION kuaidi_reserve_send(p_budget TEXT, p_most INT, p_per_us BIGINT) RETURNS BIGINT
LANGUAGE plpgsql AS $$
DECLARE
    now_us BIGINT := (EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::BIGINT;
    taken BIGINT[];
    n INT;
    slot BIGINT;
BEGIN
    INSERT INTO send_slots (budget) VALUES (p_budget) ON CONFLICT (budget) DO NOTHING;
    SELECT slots INTO taken FROM send_slots WHERE budget = p_budget FOR UPDATE;
    n := cardinality(taken);
    slot := now_us;
    IF n > 0 THEN
        slot := GREATEST(slot, taken[n]);
    END IF;
    IF n >= p_most THEN
        slot := GREATEST(slot, taken[n - p_most + 1] + p_per_us);
    END IF;
    taken := taken || slot;
    n := n + 1;
    IF n > p_most THEN
        taken := taken[n - p_most + 1 : n];
    END IF;
    UPDATE send_slots SET slots = taken WHERE budget = p_budget;
    RETURN slot - now_us;
END
$$;

-- rate_limits: a GCRA "theoretical arrival time" per key (the per-user throttle), in milliseconds of
-- the callers' clock (the one the rest of the tracker reasons in).
CREATE TABLE rate_limits (
    key TEXT PRIMARY KEY,
    tat BIGINT NOT NULL
);

-- One request of `p_key` at `p_now_ms` under `p_burst` requests per `p_burst * p_period_ms`: 0 when it
-- may go (and it is counted), else how long (ms) until it may.
CREATE FUNCTION kuaidi_take_rate(p_key TEXT, p_now_ms BIGINT, p_period_ms BIGINT, p_burst INT) RETURNS BIGINT
LANGUAGE plpgsql AS $$
DECLARE
    current BIGINT;
    base BIGINT;
    tolerance BIGINT := (p_burst - 1) * p_period_ms;
BEGIN
    INSERT INTO rate_limits (key, tat) VALUES (p_key, p_now_ms) ON CONFLICT (key) DO NOTHING;
    SELECT tat INTO current FROM rate_limits WHERE key = p_key FOR UPDATE;
    base := GREATEST(current, p_now_ms);
    IF base - p_now_ms > tolerance THEN
        RETURN base - p_now_ms - tolerance;
    END IF;
    UPDATE rate_limits SET tat = base + p_period_ms WHERE key = p_key;
    RETURN 0;
END
$$;
