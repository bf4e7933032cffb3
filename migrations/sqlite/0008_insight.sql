-- Insight (docs/insight.md): each UTC month's total of a device (the same
-- numbers as hourly_consumption, changed in the same transaction, so that a
-- year of a client's devices reads one row per device and month), each
-- device's learned week (baseline) and unusual-consumption settings, and
-- alerts of a second kind, `unusual`, beside the limit alerts.
CREATE TABLE monthly_consumption (
    device_id   TEXT    NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    month_start INTEGER NOT NULL,                    -- unix ms of the UTC month's first instant
    energy_uwh  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (device_id, month_start)
) WITHOUT ROWID;

INSERT INTO monthly_consumption (device_id, month_start, energy_uwh)
SELECT device_id,
       CAST(strftime('%s', datetime(hour_start / 1000, 'unixepoch', 'start of month')) AS INTEGER) * 1000,
       SUM(energy_uwh)
FROM hourly_consumption
GROUP BY 1, 2;

-- NULL: the default (docs/insight.md).
ALTER TABLE devices ADD COLUMN unusual_sensitivity REAL;
ALTER TABLE devices ADD COLUMN unusual_sustain_hours INTEGER;

-- The baseline as last learned by the broker-adapter: `slots` is 168
-- 'median:spread:samples' triples (µWh), Monday 00:00 first, comma-separated.
CREATE TABLE device_baselines (
    device_id        TEXT    NOT NULL PRIMARY KEY REFERENCES devices (id) ON DELETE CASCADE,
    time_zone        TEXT    NOT NULL,
    learned_at       INTEGER NOT NULL,               -- the data hour learned at (unix ms)
    weeks_of_history INTEGER NOT NULL,
    ready            INTEGER NOT NULL,
    slots            TEXT    NOT NULL,
    checked_to       INTEGER NOT NULL,               -- hours before this were looked at
    alerted_to       INTEGER NOT NULL DEFAULT 0,     -- the end of the last run alerted
    updated_at       INTEGER NOT NULL
);

-- Alerts gain a kind; the once-only key becomes (device, kind, first hour).
CREATE TABLE alerts_new (
    id              TEXT    NOT NULL PRIMARY KEY,
    device_id       TEXT    NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL DEFAULT 'limit', -- 'limit' | 'unusual'
    hour_start      INTEGER NOT NULL,                -- the (first) hour
    hours           INTEGER NOT NULL DEFAULT 1,      -- hours covered
    energy_uwh      INTEGER NOT NULL,                -- the energy observed over them
    expected_uwh    INTEGER,                         -- unusual: the baseline's
    direction       TEXT,                            -- unusual: 'high' | 'low'
    max_hourly_uwh  INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    acknowledged_at INTEGER,
    acknowledged_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT alerts_device_kind_hour_key UNIQUE (device_id, kind, hour_start)
);
INSERT INTO alerts_new (id, device_id, hour_start, energy_uwh, max_hourly_uwh, created_at, acknowledged_at, acknowledged_by)
SELECT id, device_id, hour_start, energy_uwh, max_hourly_uwh, created_at, acknowledged_at, acknowledged_by FROM alerts;
DROP TABLE alerts;
ALTER TABLE alerts_new RENAME TO alerts;
CREATE INDEX alerts_created ON alerts (created_at);
CREATE INDEX alerts_device_hour ON alerts (device_id, hour_start);
