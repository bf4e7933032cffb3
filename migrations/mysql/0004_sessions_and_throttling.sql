-- Sign-in and sessions in the field (see the SQLite migration of the same
-- number for the reasons): throttling state, hashing slots, revocation events,
-- chat messages that outlive their sender.

CREATE TABLE auth_throttle (
    throttle_key VARCHAR(100) NOT NULL PRIMARY KEY,
    failures     BIGINT       NOT NULL,
    expires_at   BIGINT       NOT NULL,
    INDEX auth_throttle_expires (expires_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE auth_hash_slots (
    slot         INT         NOT NULL PRIMARY KEY,
    leased_until BIGINT      NOT NULL,
    holder       VARCHAR(36)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
INSERT INTO auth_hash_slots (slot, leased_until, holder) VALUES
    (0, 0, NULL), (1, 0, NULL), (2, 0, NULL), (3, 0, NULL),
    (4, 0, NULL), (5, 0, NULL), (6, 0, NULL), (7, 0, NULL);

CREATE TABLE session_revocations (
    seq        BIGINT      NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id    VARCHAR(36) NOT NULL,
    family_id  VARCHAR(36),
    created_at BIGINT      NOT NULL,
    INDEX session_revocations_created (created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

ALTER TABLE chat_messages DROP FOREIGN KEY chat_messages_sender_fk;
ALTER TABLE chat_messages MODIFY sender_id VARCHAR(36) NULL;
ALTER TABLE chat_messages ADD CONSTRAINT chat_messages_sender_fk
    FOREIGN KEY (sender_id) REFERENCES users (id) ON DELETE SET NULL;
