-- iems schema, MySQL/MariaDB dialect: the same tables, keys and rules as
-- migrations/sqlite/0001_init.sql. Times are unix milliseconds (BIGINT, UTC),
-- energy is integer micro-watt-hours (BIGINT; 1 kWh = 10^9 uWh).
--
-- Text columns are VARCHAR, never TEXT, and use a case-insensitive (non-binary)
-- collation: MySQL reports TEXT as a BLOB type and a binary collation sets the
-- BINARY flag, and both Spin's MySQL interface and sqlx's Any driver would then
-- hand the value over as bytes instead of a string. Every id is a lower-case
-- UUID or hex digest, so case-insensitive comparison changes nothing for them.

CREATE TABLE users (
    id            VARCHAR(36)  NOT NULL PRIMARY KEY,
    username      VARCHAR(32)  NOT NULL,
    username_key  VARCHAR(32)  NOT NULL,
    full_name     VARCHAR(100) NOT NULL,
    address       VARCHAR(200),
    role          VARCHAR(16)  NOT NULL CHECK (role IN ('admin', 'client')),
    password_hash VARCHAR(255) NOT NULL,
    created_at    BIGINT       NOT NULL,
    updated_at    BIGINT       NOT NULL,
    CONSTRAINT users_username_key UNIQUE (username_key),
    INDEX users_role (role)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE refresh_tokens (
    id          VARCHAR(36) NOT NULL PRIMARY KEY,
    user_id     VARCHAR(36) NOT NULL,
    family_id   VARCHAR(36) NOT NULL,
    token_hash  VARCHAR(64) NOT NULL,
    created_at  BIGINT      NOT NULL,
    expires_at  BIGINT      NOT NULL,
    rotated_at  BIGINT,
    revoked_at  BIGINT,
    CONSTRAINT refresh_tokens_hash_key UNIQUE (token_hash),
    INDEX refresh_tokens_family (family_id),
    CONSTRAINT refresh_tokens_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE devices (
    id             VARCHAR(36)  NOT NULL PRIMARY KEY,
    name           VARCHAR(100) NOT NULL,
    address        VARCHAR(200),
    max_hourly_uwh BIGINT       NOT NULL CHECK (max_hourly_uwh > 0),
    owner_id       VARCHAR(36),
    created_at     BIGINT       NOT NULL,
    updated_at     BIGINT       NOT NULL,
    INDEX devices_name (name),
    CONSTRAINT devices_owner FOREIGN KEY (owner_id) REFERENCES users (id) ON DELETE SET NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE readings (
    device_id    VARCHAR(36) NOT NULL,
    ts           BIGINT      NOT NULL,
    register_uwh BIGINT      NOT NULL CHECK (register_uwh >= 0),
    received_at  BIGINT      NOT NULL,
    PRIMARY KEY (device_id, ts),
    CONSTRAINT readings_device FOREIGN KEY (device_id) REFERENCES devices (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE hourly_consumption (
    device_id   VARCHAR(36) NOT NULL,
    hour_start  BIGINT      NOT NULL,
    energy_uwh  BIGINT      NOT NULL,
    updated_at  BIGINT      NOT NULL,
    PRIMARY KEY (device_id, hour_start),
    CONSTRAINT hourly_consumption_device FOREIGN KEY (device_id) REFERENCES devices (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE meter_resets (
    device_id           VARCHAR(36) NOT NULL,
    ts                  BIGINT      NOT NULL,
    register_before_uwh BIGINT      NOT NULL,
    register_after_uwh  BIGINT      NOT NULL,
    recorded_at         BIGINT      NOT NULL,
    PRIMARY KEY (device_id, ts),
    CONSTRAINT meter_resets_device FOREIGN KEY (device_id) REFERENCES devices (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE alerts (
    id              VARCHAR(36) NOT NULL PRIMARY KEY,
    device_id       VARCHAR(36) NOT NULL,
    hour_start      BIGINT      NOT NULL,
    energy_uwh      BIGINT      NOT NULL,
    max_hourly_uwh  BIGINT      NOT NULL,
    created_at      BIGINT      NOT NULL,
    acknowledged_at BIGINT,
    acknowledged_by VARCHAR(36),
    CONSTRAINT alerts_device_hour_key UNIQUE (device_id, hour_start),
    INDEX alerts_created (created_at),
    CONSTRAINT alerts_device FOREIGN KEY (device_id) REFERENCES devices (id) ON DELETE CASCADE,
    CONSTRAINT alerts_acknowledged_by FOREIGN KEY (acknowledged_by) REFERENCES users (id) ON DELETE SET NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE chat_messages (
    seq             BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
    id              VARCHAR(36)   NOT NULL,
    conversation_id VARCHAR(36)   NOT NULL,
    sender_id       VARCHAR(36)   NOT NULL,
    body            VARCHAR(4000) NOT NULL,
    client_msg_id   VARCHAR(64)   NOT NULL,
    created_at      BIGINT        NOT NULL,
    CONSTRAINT chat_messages_id_key UNIQUE (id),
    CONSTRAINT chat_messages_client_msg_key UNIQUE (sender_id, client_msg_id),
    INDEX chat_messages_conversation (conversation_id, seq),
    CONSTRAINT chat_messages_conversation_fk FOREIGN KEY (conversation_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT chat_messages_sender_fk FOREIGN KEY (sender_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE chat_reads (
    conversation_id VARCHAR(36) NOT NULL,
    side            VARCHAR(16) NOT NULL CHECK (side IN ('client', 'support')),
    up_to_seq       BIGINT      NOT NULL,
    read_by         VARCHAR(36),
    updated_at      BIGINT      NOT NULL,
    PRIMARY KEY (conversation_id, side),
    CONSTRAINT chat_reads_conversation FOREIGN KEY (conversation_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
