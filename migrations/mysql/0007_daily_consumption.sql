-- Each UTC day's 24 hourly totals of a device in one row: the same numbers
-- as hourly_consumption (h00 is the total of the hour from 00:00 UTC, zero
-- where no row is stored), changed in the same transaction as it, so that a
-- range of months reads one row per day instead of one per hour
-- (shared/src/sql/daily.rs, docs/cost.md). `hours` holds the same 24 totals
-- as one text, 'h00,h01,…,h23', rewritten by every change: a long range reads
-- two values per day, not 25. Filled here from the stored hours.
CREATE TABLE daily_consumption (
    device_id  VARCHAR(36) NOT NULL,
    day_start  BIGINT      NOT NULL,
    hours      VARCHAR(512) NOT NULL DEFAULT '',
    h00        BIGINT      NOT NULL DEFAULT 0,
    h01        BIGINT      NOT NULL DEFAULT 0,
    h02        BIGINT      NOT NULL DEFAULT 0,
    h03        BIGINT      NOT NULL DEFAULT 0,
    h04        BIGINT      NOT NULL DEFAULT 0,
    h05        BIGINT      NOT NULL DEFAULT 0,
    h06        BIGINT      NOT NULL DEFAULT 0,
    h07        BIGINT      NOT NULL DEFAULT 0,
    h08        BIGINT      NOT NULL DEFAULT 0,
    h09        BIGINT      NOT NULL DEFAULT 0,
    h10        BIGINT      NOT NULL DEFAULT 0,
    h11        BIGINT      NOT NULL DEFAULT 0,
    h12        BIGINT      NOT NULL DEFAULT 0,
    h13        BIGINT      NOT NULL DEFAULT 0,
    h14        BIGINT      NOT NULL DEFAULT 0,
    h15        BIGINT      NOT NULL DEFAULT 0,
    h16        BIGINT      NOT NULL DEFAULT 0,
    h17        BIGINT      NOT NULL DEFAULT 0,
    h18        BIGINT      NOT NULL DEFAULT 0,
    h19        BIGINT      NOT NULL DEFAULT 0,
    h20        BIGINT      NOT NULL DEFAULT 0,
    h21        BIGINT      NOT NULL DEFAULT 0,
    h22        BIGINT      NOT NULL DEFAULT 0,
    h23        BIGINT      NOT NULL DEFAULT 0,
    PRIMARY KEY (device_id, day_start),
    CONSTRAINT daily_consumption_device FOREIGN KEY (device_id) REFERENCES devices (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

INSERT INTO daily_consumption (device_id, day_start, h00, h01, h02, h03, h04, h05, h06, h07, h08, h09, h10, h11, h12, h13, h14, h15, h16, h17, h18, h19, h20, h21, h22, h23)
SELECT device_id, day,
       CAST(SUM(CASE WHEN hour_start - day = 0 THEN energy_uwh ELSE 0 END) AS SIGNED),
       CAST(SUM(CASE WHEN hour_start - day = 3600000 THEN energy_uwh ELSE 0 END) AS SIGNED),
       CAST(SUM(CASE WHEN hour_start - day = 7200000 THEN energy_uwh ELSE 0 END) AS SIGNED),
       CAST(SUM(CASE WHEN hour_start - day = 10800000 THEN energy_uwh ELSE 0 END) AS SIGNED),
       CAST(SUM(CASE WHEN hour_start - day = 14400000 THEN energy_uwh ELSE 0 END) AS SIGNED),
       CAST(SUM(CASE WHEN hour_start - day = 18000000 THEN energy_uwh ELSE 0 END) AS SIGNED),
       CAST(SUM(CASE WHEN hour_start - day = 21600000 THEN energy_uwh ELSE 0 END) AS SIGNED),
       CAST(SUM(CASE WHEN hour_start - day = 25200000 THEN energy_uwh ELSE 0 END) AS SIGNED),
       CAST(SUM(CASE WHEN hour_start - day = 28800000 THEN energy_uwh ELSE 0 END) AS SIGNED),
       CAST(SUM(CASE WHEN hour_start - day = 32400000 THEN energy_uwh ELSE 0 END) AS SIGNED),
       CAST(SUM(CASE WHEN hour_start - day = 36000000 THEN energy_uwh ELSE 0 END) AS SIGNED),
       CAST(SUM(CASE WHEN hour_start - day = 39600000 THEN energy_uwh ELSE 0 END) AS SIGNED),
       CAST(SUM(CASE WHEN hour_start - day = 43200000 THEN energy_uwh ELSE 0 END) AS SIGNED),
       CAST(SUM(CASE WHEN hour_start - day = 46800000 THEN energy_uwh ELSE 0 END) AS SIGNED),
       CAST(SUM(CASE WHEN hour_start - day = 50400000 THEN energy_uwh ELSE 0 END) AS SIGNED),
       CAST(SUM(CASE WHEN hour_start - day = 54000000 THEN energy_uwh ELSE 0 END) AS SIGNED),
       CAST(SUM(CASE WHEN hour_start - day = 57600000 THEN energy_uwh ELSE 0 END) AS SIGNED),
       CAST(SUM(CASE WHEN hour_start - day = 61200000 THEN energy_uwh ELSE 0 END) AS SIGNED),
       CAST(SUM(CASE WHEN hour_start - day = 64800000 THEN energy_uwh ELSE 0 END) AS SIGNED),
       CAST(SUM(CASE WHEN hour_start - day = 68400000 THEN energy_uwh ELSE 0 END) AS SIGNED),
       CAST(SUM(CASE WHEN hour_start - day = 72000000 THEN energy_uwh ELSE 0 END) AS SIGNED),
       CAST(SUM(CASE WHEN hour_start - day = 75600000 THEN energy_uwh ELSE 0 END) AS SIGNED),
       CAST(SUM(CASE WHEN hour_start - day = 79200000 THEN energy_uwh ELSE 0 END) AS SIGNED),
       CAST(SUM(CASE WHEN hour_start - day = 82800000 THEN energy_uwh ELSE 0 END) AS SIGNED)
FROM (SELECT device_id, hour_start, energy_uwh,
             hour_start - MOD(MOD(hour_start, 86400000) + 86400000, 86400000) AS day
      FROM hourly_consumption) AS hours
GROUP BY device_id, day;

UPDATE daily_consumption SET hours = CONCAT_WS(',', h00, h01, h02, h03, h04, h05, h06, h07, h08, h09, h10, h11, h12, h13, h14, h15, h16, h17, h18, h19, h20, h21, h22, h23);
