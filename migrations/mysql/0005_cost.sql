-- Energy cost (docs/cost.md): tariffs, their assignment history, dynamic price
-- series, monthly budgets and budget alerts. Money is integer micro-units of the
-- installation's currency, prices micro-units per kWh.

-- A tariff's prices never change once it is assigned (only its name may), so past
-- costs do not change: new prices are a new tariff assigned from a date on.
CREATE TABLE tariffs (
    id         VARCHAR(36)  NOT NULL PRIMARY KEY,
    name       VARCHAR(200) NOT NULL,
    currency   CHAR(3)      NOT NULL,
    kind       VARCHAR(16)  NOT NULL CHECK (kind IN ('flat', 'time_of_use', 'dynamic')),
    spec       VARCHAR(8000) NOT NULL,   -- the validated tariff, JSON (VARCHAR: MySQL reports TEXT as a BLOB)
    created_at BIGINT       NOT NULL,
    updated_at BIGINT       NOT NULL,
    INDEX tariffs_name (name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE tariff_prices (
    tariff_id   VARCHAR(36) NOT NULL,
    slot_start  BIGINT      NOT NULL,
    price_micro BIGINT      NOT NULL,
    PRIMARY KEY (tariff_id, slot_start),
    CONSTRAINT tariff_prices_tariff FOREIGN KEY (tariff_id) REFERENCES tariffs (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE tariff_assignments (
    id         VARCHAR(36) NOT NULL PRIMARY KEY,
    client_id  VARCHAR(36) NULL,
    device_id  VARCHAR(36) NULL,
    tariff_id  VARCHAR(36) NULL,
    valid_from BIGINT      NOT NULL,
    created_at BIGINT      NOT NULL,
    created_by VARCHAR(36) NULL,
    CHECK ((client_id IS NULL) <> (device_id IS NULL)),
    CHECK (tariff_id IS NOT NULL OR device_id IS NOT NULL),
    INDEX tariff_assignments_client (client_id, valid_from),
    INDEX tariff_assignments_device (device_id, valid_from),
    CONSTRAINT tariff_assignments_client_fk FOREIGN KEY (client_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT tariff_assignments_device_fk FOREIGN KEY (device_id) REFERENCES devices (id) ON DELETE CASCADE,
    CONSTRAINT tariff_assignments_tariff_fk FOREIGN KEY (tariff_id) REFERENCES tariffs (id),
    CONSTRAINT tariff_assignments_creator_fk FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE SET NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE budgets (
    client_id  VARCHAR(36) NOT NULL PRIMARY KEY,
    kind       VARCHAR(8)  NOT NULL CHECK (kind IN ('money', 'kwh')),
    amount     BIGINT      NOT NULL CHECK (amount > 0),
    tz         VARCHAR(64) NOT NULL,
    updated_at BIGINT      NOT NULL,
    updated_by VARCHAR(36) NULL,
    CONSTRAINT budgets_client FOREIGN KEY (client_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT budgets_updater FOREIGN KEY (updated_by) REFERENCES users (id) ON DELETE SET NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE budget_alerts (
    id              VARCHAR(36) NOT NULL PRIMARY KEY,
    client_id       VARCHAR(36) NOT NULL,
    month           CHAR(7)     NOT NULL,
    kind            VARCHAR(10) NOT NULL CHECK (kind IN ('projected', 'spent')),
    budget_kind     VARCHAR(8)  NOT NULL CHECK (budget_kind IN ('money', 'kwh')),
    budget_amount   BIGINT      NOT NULL,
    spent           BIGINT      NOT NULL,
    projected       BIGINT      NOT NULL,
    currency        CHAR(3)     NULL,
    created_at      BIGINT      NOT NULL,
    acknowledged_at BIGINT      NULL,
    acknowledged_by VARCHAR(36) NULL,
    CONSTRAINT budget_alerts_key UNIQUE (client_id, month, kind),
    INDEX budget_alerts_created (created_at),
    CONSTRAINT budget_alerts_client FOREIGN KEY (client_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT budget_alerts_acker FOREIGN KEY (acknowledged_by) REFERENCES users (id) ON DELETE SET NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
