-- Energy cost (docs/cost.md): tariffs, their assignment history, dynamic price
-- series, monthly budgets and budget alerts. Money is integer micro-units of the
-- installation's currency, prices micro-units per kWh.

-- A tariff's prices never change once it is assigned (only its name may), so past
-- costs do not change: new prices are a new tariff assigned from a date on.
CREATE TABLE tariffs (
    id         TEXT    NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL,
    currency   TEXT    NOT NULL,                     -- ISO 4217
    kind       TEXT    NOT NULL CHECK (kind IN ('flat', 'time_of_use', 'dynamic')),
    spec       TEXT    NOT NULL,                     -- the validated tariff, JSON
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX tariffs_name ON tariffs (name);

-- The price series of a dynamic tariff: one row per slot (15 or 60 minutes).
CREATE TABLE tariff_prices (
    tariff_id   TEXT    NOT NULL REFERENCES tariffs (id) ON DELETE CASCADE,
    slot_start  INTEGER NOT NULL,
    price_micro INTEGER NOT NULL,
    PRIMARY KEY (tariff_id, slot_start)
);

-- Which tariff applies from when: to a client, or to one device (overriding its
-- owner's; tariff_id NULL sends the device back to its owner's tariff).
CREATE TABLE tariff_assignments (
    id         TEXT    NOT NULL PRIMARY KEY,
    client_id  TEXT    REFERENCES users (id) ON DELETE CASCADE,
    device_id  TEXT    REFERENCES devices (id) ON DELETE CASCADE,
    tariff_id  TEXT    REFERENCES tariffs (id),
    valid_from INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT    REFERENCES users (id) ON DELETE SET NULL,
    -- exactly one of client and device; only a device's row may have no tariff
    CHECK ((client_id IS NULL) <> (device_id IS NULL)),
    CHECK (tariff_id IS NOT NULL OR device_id IS NOT NULL)
);
CREATE INDEX tariff_assignments_client ON tariff_assignments (client_id, valid_from);
CREATE INDEX tariff_assignments_device ON tariff_assignments (device_id, valid_from);
CREATE INDEX tariff_assignments_tariff ON tariff_assignments (tariff_id);

-- A client's monthly budget, in money (micro-units) or energy (uWh), over the
-- months of its time zone.
CREATE TABLE budgets (
    client_id  TEXT    NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind IN ('money', 'kwh')),
    amount     INTEGER NOT NULL CHECK (amount > 0),
    tz         TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT    REFERENCES users (id) ON DELETE SET NULL
);

-- At most one alert per client, month and threshold: the unique key is the guard.
CREATE TABLE budget_alerts (
    id              TEXT    NOT NULL PRIMARY KEY,
    client_id       TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    month           TEXT    NOT NULL,                -- YYYY-MM in the budget's time zone
    kind            TEXT    NOT NULL CHECK (kind IN ('projected', 'spent')),
    budget_kind     TEXT    NOT NULL CHECK (budget_kind IN ('money', 'kwh')),
    budget_amount   INTEGER NOT NULL,
    spent           INTEGER NOT NULL,                -- in the budget's unit
    projected       INTEGER NOT NULL,
    currency        TEXT,
    created_at      INTEGER NOT NULL,
    acknowledged_at INTEGER,
    acknowledged_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT budget_alerts_key UNIQUE (client_id, month, kind)
);
CREATE INDEX budget_alerts_created ON budget_alerts (created_at);
