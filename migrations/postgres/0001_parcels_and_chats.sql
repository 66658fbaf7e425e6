-- Parcels: one row per (courier, number), whatever chats or languages ask about it.
-- Times are milliseconds since the Unix epoch (UTC), so that SQLite and PostgreSQL store them alike.
CREATE TABLE parcels (
    id BIGSERIAL PRIMARY KEY,
    courier TEXT NOT NULL,
    number TEXT NOT NULL,
    phone_tail TEXT,                 -- last 4 digits only, never the full number
    answer TEXT,                     -- last successful answer, JSON as received
    answer_lang TEXT,                -- language the answer's text was asked in
    state TEXT,                      -- state code of that answer
    answered_at BIGINT,              -- when that answer arrived
    last_query_at BIGINT,            -- last upstream query, whatever its outcome
    last_outcome TEXT,               -- 'ok', 'pending', or the returnCode / failure of the last query
    last_error_message TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (courier, number)
);

-- Every upstream query of the last 24 hours, to keep the rolling daily cap across restarts and processes.
CREATE TABLE upstream_queries (
    parcel_id BIGINT NOT NULL REFERENCES parcels (id) ON DELETE CASCADE,
    at BIGINT NOT NULL,
    outcome TEXT NOT NULL
);
CREATE INDEX upstream_queries_by_parcel ON upstream_queries (parcel_id, at);

CREATE TABLE chats (
    id BIGINT PRIMARY KEY,
    lang TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
