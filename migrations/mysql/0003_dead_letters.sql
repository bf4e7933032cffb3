-- Dead letters of the in-process bus (`iems up` without RabbitMQ), kept in the
-- database so that they outlive the process and `iems dead-letters list|replay`
-- reach them from another process (docs/dead-letters.md); the same table as
-- migrations/sqlite/0003_dead_letters.sql. Bounded: each insert deletes the
-- rows more than the cap older than it.
CREATE TABLE dead_letters (
    id                  BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
    reason              VARCHAR(1000) NOT NULL,
    reason_code         VARCHAR(64)   NOT NULL,
    device_id           VARCHAR(100),
    reading_ts          BIGINT,
    payload             LONGBLOB      NOT NULL,
    dead_lettered_at    BIGINT        NOT NULL,
    replay_requested_at BIGINT,
    INDEX dead_letters_reason (reason_code, id),
    INDEX dead_letters_replay (replay_requested_at, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
