-- Dead letters of the in-process bus (`iems up` without RabbitMQ), kept in the
-- database so that they outlive the process and `iems dead-letters list|replay`
-- reach them from another process (docs/dead-letters.md). Bounded: each insert
-- deletes the rows more than the cap older than it.
CREATE TABLE dead_letters (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    reason              TEXT    NOT NULL,            -- `<code>: <detail>`
    reason_code         TEXT    NOT NULL,            -- the text before the first ':'
    device_id           TEXT,                        -- as the payload names it (no foreign key: unknown devices are dead-lettered too)
    reading_ts          INTEGER,                     -- the reading's timestamp, unix ms, when the payload has one
    payload             BLOB    NOT NULL,            -- the message as it arrived
    dead_lettered_at    INTEGER NOT NULL,
    replay_requested_at INTEGER                      -- set by `iems dead-letters replay`; `iems up` re-publishes and deletes the row
);
CREATE INDEX dead_letters_reason ON dead_letters (reason_code, id);
CREATE INDEX dead_letters_replay ON dead_letters (replay_requested_at, id);
