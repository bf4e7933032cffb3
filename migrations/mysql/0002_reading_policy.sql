-- The reading policy (docs/reliability.md): each device's plausible maximum
-- power, and meter events, the steps between two consecutive readings that were
-- a reset or a gap, in place of the resets-only table.

-- Watts; NULL: the policy's default (four times the hourly limit, at least 50 kW).
ALTER TABLE devices ADD COLUMN max_power_w BIGINT NULL CHECK (max_power_w IS NULL OR max_power_w > 0);

-- One row per step that was a reset (the register fell to near zero; its energy
-- is spread over the hours as usual) or a gap (readings further apart than the
-- policy's gap limit; its energy is booked here, not in hourly_consumption).
-- Keyed by the later reading of the step: sum(hourly) + sum(unspread) is the
-- energy of every step.
CREATE TABLE meter_events (
    device_id           VARCHAR(36) NOT NULL,
    ts                  BIGINT      NOT NULL,
    kind                VARCHAR(8)  NOT NULL CHECK (kind IN ('reset', 'gap')),
    from_ts             BIGINT      NOT NULL,
    register_before_uwh BIGINT      NOT NULL,
    register_after_uwh  BIGINT      NOT NULL,
    unspread_uwh        BIGINT      NOT NULL,
    recorded_at         BIGINT      NOT NULL,
    PRIMARY KEY (device_id, ts),
    CONSTRAINT meter_events_device FOREIGN KEY (device_id) REFERENCES devices (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

INSERT INTO meter_events (device_id, ts, kind, from_ts, register_before_uwh, register_after_uwh, unspread_uwh, recorded_at)
SELECT m.device_id, m.ts, 'reset',
       COALESCE((SELECT MAX(r.ts) FROM readings r WHERE r.device_id = m.device_id AND r.ts < m.ts), m.ts),
       m.register_before_uwh, m.register_after_uwh, 0, m.recorded_at
FROM meter_resets m;

DROP TABLE meter_resets;
