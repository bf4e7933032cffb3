-- Insight: the same tables and rules as migrations/sqlite/0008_insight.sql.
CREATE TABLE monthly_consumption (
    device_id   VARCHAR(36) NOT NULL,
    month_start BIGINT      NOT NULL,
    energy_uwh  BIGINT      NOT NULL DEFAULT 0,
    PRIMARY KEY (device_id, month_start),
    CONSTRAINT monthly_consumption_device FOREIGN KEY (device_id) REFERENCES devices (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- TIMESTAMPDIFF on DATETIME values is free of the session's time zone.
INSERT INTO monthly_consumption (device_id, month_start, energy_uwh)
SELECT device_id, month_start, SUM(energy_uwh)
FROM (
    SELECT device_id,
           TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00',
               DATE_FORMAT(DATE_ADD('1970-01-01 00:00:00', INTERVAL (hour_start DIV 1000) SECOND), '%Y-%m-01 00:00:00')) * 1000 AS month_start,
           energy_uwh
    FROM hourly_consumption
) h
GROUP BY device_id, month_start;

ALTER TABLE devices
    ADD COLUMN unusual_sensitivity   DOUBLE NULL,
    ADD COLUMN unusual_sustain_hours INT    NULL;

CREATE TABLE device_baselines (
    device_id        VARCHAR(36)   NOT NULL PRIMARY KEY,
    time_zone        VARCHAR(64)   NOT NULL,
    learned_at       BIGINT        NOT NULL,
    weeks_of_history INT           NOT NULL,
    ready            TINYINT       NOT NULL,
    slots            VARCHAR(8000) NOT NULL,
    checked_to       BIGINT        NOT NULL,
    alerted_to       BIGINT        NOT NULL DEFAULT 0,
    updated_at       BIGINT        NOT NULL,
    CONSTRAINT device_baselines_device FOREIGN KEY (device_id) REFERENCES devices (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

ALTER TABLE alerts
    ADD COLUMN kind         VARCHAR(8)  NOT NULL DEFAULT 'limit' AFTER device_id,
    ADD COLUMN hours        INT         NOT NULL DEFAULT 1 AFTER hour_start,
    ADD COLUMN expected_uwh BIGINT      NULL AFTER energy_uwh,
    ADD COLUMN direction    VARCHAR(8)  NULL AFTER expected_uwh,
    ADD CONSTRAINT alerts_device_kind_hour_key UNIQUE (device_id, kind, hour_start),
    DROP INDEX alerts_device_hour_key;
