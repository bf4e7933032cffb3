-- Sign-in and sessions in the field: throttling state, bounded password
-- hashing, revocation events for the WebSocket hubs, and chat messages that
-- outlive their sender.

-- Failure counters of sign-in, password change and registration, one row per
-- key (a hash of what is counted: username+address, username, address, ...),
-- in fixed windows. A row past expires_at is dead and swept away.
CREATE TABLE auth_throttle (
    throttle_key TEXT    NOT NULL PRIMARY KEY,
    failures     INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL                    -- unix ms
);
CREATE INDEX auth_throttle_expires ON auth_throttle (expires_at);

-- Leases on the few slots in which Argon2 may run at once, so that a burst of
-- sign-ins or registrations cannot take every core from the other requests.
-- A lease past leased_until is free again (an instance that died holding it).
CREATE TABLE auth_hash_slots (
    slot         INTEGER NOT NULL PRIMARY KEY,
    leased_until INTEGER NOT NULL,
    holder       TEXT
);
INSERT INTO auth_hash_slots (slot, leased_until, holder) VALUES
    (0, 0, NULL), (1, 0, NULL), (2, 0, NULL), (3, 0, NULL),
    (4, 0, NULL), (5, 0, NULL), (6, 0, NULL), (7, 0, NULL);

-- Sessions ended before their access tokens expire (sign-out, deletion,
-- demotion, password change, refresh-token reuse): the WebSocket hubs follow
-- this log to close the sockets of those sessions. family_id NULL: every
-- session of the user.
CREATE TABLE session_revocations (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    TEXT    NOT NULL,
    family_id  TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX session_revocations_created ON session_revocations (created_at);

-- A deleted user's chat messages stay in their conversation (sender_id NULL:
-- "a deleted user"); SQLite cannot alter a foreign key, so the table is rebuilt.
CREATE TABLE chat_messages_new (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT    NOT NULL,
    conversation_id TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    sender_id       TEXT             REFERENCES users (id) ON DELETE SET NULL,
    body            TEXT    NOT NULL,
    client_msg_id   TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    CONSTRAINT chat_messages_id_key UNIQUE (id),
    CONSTRAINT chat_messages_client_msg_key UNIQUE (sender_id, client_msg_id)
);
INSERT INTO chat_messages_new (seq, id, conversation_id, sender_id, body, client_msg_id, created_at)
    SELECT seq, id, conversation_id, sender_id, body, client_msg_id, created_at FROM chat_messages;
DROP TABLE chat_messages;
ALTER TABLE chat_messages_new RENAME TO chat_messages;
CREATE INDEX chat_messages_conversation ON chat_messages (conversation_id, seq);
