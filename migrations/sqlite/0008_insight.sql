-- Insight (docs/insight.md): each UTC month's total of a device and the hours
-- of its first and last days (the same numbers as hourly_consumption, changed
-- in the same transaction, so that a year of a client's devices reads one row
-- per device and month), each
-- device's learned week (baseline) and unusual-consumption settings, and
-- alerts of a second kind, `unusual`, beside the limit alerts.
CREATE TABLE monthly_consumption (
    device_id   TEXT    NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    month_start INTEGER NOT NULL,                    -- unix ms of the UTC month's first instant
    energy_uwh  INTEGER NOT NULL DEFAULT 0,
    -- the 24 hourly totals of the month's first UTC day (f) and last (l):
    -- a local month's edge lies in one of them (docs/insight.md)
    f00         INTEGER NOT NULL DEFAULT 0,
    f01         INTEGER NOT NULL DEFAULT 0,
    f02         INTEGER NOT NULL DEFAULT 0,
    f03         INTEGER NOT NULL DEFAULT 0,
    f04         INTEGER NOT NULL DEFAULT 0,
    f05         INTEGER NOT NULL DEFAULT 0,
    f06         INTEGER NOT NULL DEFAULT 0,
    f07         INTEGER NOT NULL DEFAULT 0,
    f08         INTEGER NOT NULL DEFAULT 0,
    f09         INTEGER NOT NULL DEFAULT 0,
    f10         INTEGER NOT NULL DEFAULT 0,
    f11         INTEGER NOT NULL DEFAULT 0,
    f12         INTEGER NOT NULL DEFAULT 0,
    f13         INTEGER NOT NULL DEFAULT 0,
    f14         INTEGER NOT NULL DEFAULT 0,
    f15         INTEGER NOT NULL DEFAULT 0,
    f16         INTEGER NOT NULL DEFAULT 0,
    f17         INTEGER NOT NULL DEFAULT 0,
    f18         INTEGER NOT NULL DEFAULT 0,
    f19         INTEGER NOT NULL DEFAULT 0,
    f20         INTEGER NOT NULL DEFAULT 0,
    f21         INTEGER NOT NULL DEFAULT 0,
    f22         INTEGER NOT NULL DEFAULT 0,
    f23         INTEGER NOT NULL DEFAULT 0,
    l00         INTEGER NOT NULL DEFAULT 0,
    l01         INTEGER NOT NULL DEFAULT 0,
    l02         INTEGER NOT NULL DEFAULT 0,
    l03         INTEGER NOT NULL DEFAULT 0,
    l04         INTEGER NOT NULL DEFAULT 0,
    l05         INTEGER NOT NULL DEFAULT 0,
    l06         INTEGER NOT NULL DEFAULT 0,
    l07         INTEGER NOT NULL DEFAULT 0,
    l08         INTEGER NOT NULL DEFAULT 0,
    l09         INTEGER NOT NULL DEFAULT 0,
    l10         INTEGER NOT NULL DEFAULT 0,
    l11         INTEGER NOT NULL DEFAULT 0,
    l12         INTEGER NOT NULL DEFAULT 0,
    l13         INTEGER NOT NULL DEFAULT 0,
    l14         INTEGER NOT NULL DEFAULT 0,
    l15         INTEGER NOT NULL DEFAULT 0,
    l16         INTEGER NOT NULL DEFAULT 0,
    l17         INTEGER NOT NULL DEFAULT 0,
    l18         INTEGER NOT NULL DEFAULT 0,
    l19         INTEGER NOT NULL DEFAULT 0,
    l20         INTEGER NOT NULL DEFAULT 0,
    l21         INTEGER NOT NULL DEFAULT 0,
    l22         INTEGER NOT NULL DEFAULT 0,
    l23         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (device_id, month_start)
) WITHOUT ROWID;

INSERT INTO monthly_consumption (device_id, month_start, energy_uwh, f00, f01, f02, f03, f04, f05, f06, f07, f08, f09, f10, f11, f12, f13, f14, f15, f16, f17, f18, f19, f20, f21, f22, f23, l00, l01, l02, l03, l04, l05, l06, l07, l08, l09, l10, l11, l12, l13, l14, l15, l16, l17, l18, l19, l20, l21, l22, l23)
SELECT device_id, m, SUM(energy_uwh),
       SUM(CASE WHEN hour_start = m + 0 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = m + 3600000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = m + 7200000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = m + 10800000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = m + 14400000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = m + 18000000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = m + 21600000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = m + 25200000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = m + 28800000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = m + 32400000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = m + 36000000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = m + 39600000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = m + 43200000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = m + 46800000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = m + 50400000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = m + 54000000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = m + 57600000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = m + 61200000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = m + 64800000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = m + 68400000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = m + 72000000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = m + 75600000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = m + 79200000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = m + 82800000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = nm - 86400000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = nm - 82800000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = nm - 79200000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = nm - 75600000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = nm - 72000000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = nm - 68400000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = nm - 64800000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = nm - 61200000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = nm - 57600000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = nm - 54000000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = nm - 50400000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = nm - 46800000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = nm - 43200000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = nm - 39600000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = nm - 36000000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = nm - 32400000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = nm - 28800000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = nm - 25200000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = nm - 21600000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = nm - 18000000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = nm - 14400000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = nm - 10800000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = nm - 7200000 THEN energy_uwh ELSE 0 END),
       SUM(CASE WHEN hour_start = nm - 3600000 THEN energy_uwh ELSE 0 END)
FROM (
    SELECT device_id, hour_start, energy_uwh,
           CAST(strftime('%s', datetime(hour_start / 1000, 'unixepoch', 'start of month')) AS INTEGER) * 1000 AS m,
           CAST(strftime('%s', datetime(hour_start / 1000, 'unixepoch', 'start of month', '+1 month')) AS INTEGER) * 1000 AS nm
    FROM hourly_consumption
) h
GROUP BY device_id, m;

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
