-- Centers form a tree: the county center, its sub-halls and township centers, and the village
-- and community stations under those. Nothing a case refers to is ever deleted: it is retired.
CREATE TABLE centers (
    id          BIGSERIAL PRIMARY KEY,
    parent_id   BIGINT REFERENCES centers (id),
    kind        TEXT NOT NULL CHECK (kind IN ('county_center', 'sub_hall', 'township_center', 'village_station')),
    name        TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 2 AND 60),
    address     TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    hours       TEXT NOT NULL DEFAULT '',
    retired_at  TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((kind = 'county_center') = (parent_id IS NULL))
);

-- Approving units stationed in a center.
CREATE TABLE departments (
    id          BIGSERIAL PRIMARY KEY,
    center_id   BIGINT NOT NULL REFERENCES centers (id),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 2 AND 60),
    retired_at  TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (center_id, name)
);

-- Counters where applications are formally accepted: the comprehensive window of a center, or a
-- department's own window.
CREATE TABLE windows (
    id             BIGSERIAL PRIMARY KEY,
    center_id      BIGINT NOT NULL REFERENCES centers (id),
    department_id  BIGINT REFERENCES departments (id),
    name           TEXT NOT NULL CHECK (length(name) BETWEEN 2 AND 60),
    comprehensive  BOOLEAN NOT NULL DEFAULT false,
    retired_at     TIMESTAMPTZ,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (center_id, name)
);

CREATE TABLE accounts (
    id             BIGSERIAL PRIMARY KEY,
    role           TEXT NOT NULL CHECK (role IN ('applicant', 'agent', 'manager', 'supervisor', 'admin')),
    -- Applicants log in with their mobile number, staff with a login chosen by the administrator.
    login_name     TEXT NOT NULL UNIQUE,
    display_name   TEXT NOT NULL,
    phone          TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    center_id      BIGINT REFERENCES centers (id),
    department_id  BIGINT REFERENCES departments (id),
    failed_logins  INTEGER NOT NULL DEFAULT 0,
    locked_until   TIMESTAMPTZ,
    disabled_at    TIMESTAMPTZ,
    created_by     BIGINT REFERENCES accounts (id),
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- Staff belong to a center; applicants to none.
    CHECK ((role = 'applicant') = (center_id IS NULL)),
    CHECK (department_id IS NULL OR center_id IS NOT NULL)
);
CREATE INDEX accounts_center ON accounts (center_id) WHERE center_id IS NOT NULL;

-- Every login attempt, success or not, and every logout.
CREATE TABLE login_events (
    id          BIGSERIAL PRIMARY KEY,
    account_id  BIGINT REFERENCES accounts (id),
    login_name  TEXT NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN
                  ('success', 'bad_password', 'unknown_account', 'locked', 'locked_now', 'disabled', 'registered', 'logout')),
    ip          TEXT,
    user_agent  TEXT,
    at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX login_events_account ON login_events (account_id, at DESC);
