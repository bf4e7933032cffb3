-- iems schema, SQLite dialect. Every time column holds unix milliseconds (UTC)
-- and every energy column integer micro-watt-hours (1 kWh = 10^9 uWh), so the
-- SQL stays portable to MySQL (BIGINT) and hourly totals stay exact.

CREATE TABLE users (
    id            TEXT    NOT NULL PRIMARY KEY,      -- UUID
    username      TEXT    NOT NULL,                  -- as the user typed it
    username_key  TEXT    NOT NULL,                  -- lower-cased: unique case-insensitively
    full_name     TEXT    NOT NULL,
    address       TEXT,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'client')),
    password_hash TEXT    NOT NULL,                  -- Argon2id PHC string
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    CONSTRAINT users_username_key UNIQUE (username_key)
);
CREATE INDEX users_role ON users (role);

-- Opaque refresh tokens, stored only as a SHA-256 hash. A rotated token keeps its
-- row (rotated_at set) so that its reuse can be detected and its family revoked.
CREATE TABLE refresh_tokens (
    id          TEXT    NOT NULL PRIMARY KEY,
    user_id     TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id   TEXT    NOT NULL,
    token_hash  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    rotated_at  INTEGER,
    revoked_at  INTEGER,
    CONSTRAINT refresh_tokens_hash_key UNIQUE (token_hash)
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

CREATE TABLE devices (
    id             TEXT    NOT NULL PRIMARY KEY,
    name           TEXT    NOT NULL,
    address        TEXT,
    max_hourly_uwh INTEGER NOT NULL CHECK (max_hourly_uwh > 0),
    owner_id       TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX devices_owner ON devices (owner_id);
CREATE INDEX devices_name ON devices (name);

-- One row per (device, meter timestamp): the primary key makes readings idempotent.
CREATE TABLE readings (
    device_id    TEXT    NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    ts           INTEGER NOT NULL,
    register_uwh INTEGER NOT NULL CHECK (register_uwh >= 0),
    received_at  INTEGER NOT NULL,
    PRIMARY KEY (device_id, ts)
);

-- Per clock hour (UTC) totals derived from readings by the consumption rules.
CREATE TABLE hourly_consumption (
    device_id   TEXT    NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    hour_start  INTEGER NOT NULL,                    -- unix ms, a multiple of 3 600 000
    energy_uwh  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (device_id, hour_start)
);

-- A drop of the register between two consecutive readings (a meter reset).
CREATE TABLE meter_resets (
    device_id           TEXT    NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    ts                  INTEGER NOT NULL,            -- timestamp of the reading after the drop
    register_before_uwh INTEGER NOT NULL,
    register_after_uwh  INTEGER NOT NULL,
    recorded_at         INTEGER NOT NULL,
    PRIMARY KEY (device_id, ts)
);

-- At most one alert per device and hour: the unique key is the guard.
CREATE TABLE alerts (
    id              TEXT    NOT NULL PRIMARY KEY,
    device_id       TEXT    NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    hour_start      INTEGER NOT NULL,
    energy_uwh      INTEGER NOT NULL,                -- the hour's total when the limit was crossed
    max_hourly_uwh  INTEGER NOT NULL,                -- the limit at that moment
    created_at      INTEGER NOT NULL,
    acknowledged_at INTEGER,
    acknowledged_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT alerts_device_hour_key UNIQUE (device_id, hour_start)
);
CREATE INDEX alerts_created ON alerts (created_at);

-- Each client has one conversation with support; its id is the client's user id.
-- seq orders messages and pages history (`before=`).
CREATE TABLE chat_messages (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT    NOT NULL,
    conversation_id TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    sender_id       TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    body            TEXT    NOT NULL,
    client_msg_id   TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    CONSTRAINT chat_messages_id_key UNIQUE (id),
    -- a retried send with the same client message id is stored once
    CONSTRAINT chat_messages_client_msg_key UNIQUE (sender_id, client_msg_id)
);
CREATE INDEX chat_messages_conversation ON chat_messages (conversation_id, seq);

-- How far each side has read a conversation: the client, or support (any admin).
CREATE TABLE chat_reads (
    conversation_id TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    side            TEXT    NOT NULL CHECK (side IN ('client', 'support')),
    up_to_seq       INTEGER NOT NULL,
    read_by         TEXT,                            -- the user who last moved the mark
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, side)
);

-- Key-value store of the functions (login rate limits) lives in its own
-- database, managed by the runtime.
