-- A phone number belongs to an account only once its owner proved it with an SMS code.
-- Accounts an agent created for a walk-in or phone case stay unverified until claimed.
ALTER TABLE accounts ADD COLUMN phone_verified_at TIMESTAMPTZ;
-- A password an administrator chose (a new staff account, a reset) is changed at first login.
ALTER TABLE accounts ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT false;

-- One-time codes sent by SMS, stored hashed; a code is good for 5 minutes and 5 tries.
CREATE TABLE phone_codes (
    id          BIGSERIAL PRIMARY KEY,
    phone       TEXT NOT NULL,
    purpose     TEXT NOT NULL CHECK (purpose IN ('register', 'reset')),
    code_hash   TEXT NOT NULL,
    tries       INTEGER NOT NULL DEFAULT 0,
    ip          TEXT,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at  TIMESTAMPTZ NOT NULL,
    used_at     TIMESTAMPTZ
);
CREATE INDEX phone_codes_phone ON phone_codes (phone, purpose, created_at DESC);

-- Rate limits shared by every server process: one row per limited key, counting hits since the
-- window opened (at the key's first hit).
CREATE UNLOGGED TABLE rate_limits (
    key           TEXT PRIMARY KEY,
    window_start  TIMESTAMPTZ NOT NULL,
    hits          INTEGER NOT NULL
);

ALTER TABLE login_events DROP CONSTRAINT login_events_outcome_check;
ALTER TABLE login_events ADD CONSTRAINT login_events_outcome_check CHECK (outcome IN
    ('success', 'bad_password', 'unknown_account', 'locked', 'locked_now', 'disabled', 'registered',
     'logout', 'password_reset', 'password_changed', 'unverified', 'session_too_old'));
