-- Real meters (docs/ingest.md): one credential per device at a time, stored
-- only as the SHA-256 of its random secret; revoked and rotated credentials
-- stay as history. Each device may name its payload format and time zone, and
-- remembers when and over which path it last reported.
CREATE TABLE device_credentials (
    key_id        TEXT    NOT NULL PRIMARY KEY,
    device_id     TEXT    NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    secret_sha256 TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    revoked_at    INTEGER
);
CREATE INDEX device_credentials_device ON device_credentials (device_id, revoked_at);

ALTER TABLE devices ADD COLUMN meter_format TEXT;
ALTER TABLE devices ADD COLUMN time_zone TEXT;
ALTER TABLE devices ADD COLUMN last_reported_at INTEGER;
ALTER TABLE devices ADD COLUMN last_reported_via TEXT;
