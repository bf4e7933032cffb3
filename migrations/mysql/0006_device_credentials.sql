-- Real meters (docs/ingest.md): one credential per device at a time, stored
-- only as the SHA-256 of its random secret; revoked and rotated credentials
-- stay as history. Each device may name its payload format and time zone, and
-- remembers when and over which path it last reported.
CREATE TABLE device_credentials (
    key_id        VARCHAR(32) NOT NULL PRIMARY KEY,
    device_id     VARCHAR(36) NOT NULL,
    secret_sha256 CHAR(64)    NOT NULL,
    created_at    BIGINT      NOT NULL,
    revoked_at    BIGINT      NULL,
    INDEX device_credentials_device (device_id, revoked_at),
    CONSTRAINT device_credentials_device FOREIGN KEY (device_id) REFERENCES devices (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

ALTER TABLE devices
    ADD COLUMN meter_format      VARCHAR(32) NULL,
    ADD COLUMN time_zone         VARCHAR(64) NULL,
    ADD COLUMN last_reported_at  BIGINT      NULL,
    ADD COLUMN last_reported_via VARCHAR(8)  NULL;
