-- Service quality: ratings of finished cases (好差评), the follow-up a bad rating opens (回访,
-- 整改), complaints (投诉). Everything here is history: rows are added, never changed (the
-- server's role may not UPDATE or DELETE them); where a thing stands is read from its steps.

-- The limits, in working days; supervisors change them (each change is in audit_log).
CREATE TABLE quality_settings (
    id              BOOLEAN PRIMARY KEY DEFAULT true CHECK (id),
    contact_days    INTEGER NOT NULL DEFAULT 1 CHECK (contact_days BETWEEN 1 AND 60),
    rectify_days    INTEGER NOT NULL DEFAULT 15 CHECK (rectify_days BETWEEN 1 AND 60),
    complaint_days  INTEGER NOT NULL DEFAULT 5 CHECK (complaint_days BETWEEN 1 AND 60)
);
INSERT INTO quality_settings DEFAULT VALUES;

-- One rating per case and round: round 1 when the case finished, round 2 after a bad first
-- rating's rectification. Who and where it rates is frozen when it is given.
CREATE TABLE ratings (
    id             BIGSERIAL PRIMARY KEY,
    case_id        BIGINT NOT NULL REFERENCES cases (id),
    round          SMALLINT NOT NULL CHECK (round IN (1, 2)),
    level          SMALLINT NOT NULL CHECK (level BETWEEN 1 AND 5),
    comment        TEXT NOT NULL DEFAULT '',
    rated_by       BIGINT NOT NULL REFERENCES accounts (id),
    center_id      BIGINT NOT NULL REFERENCES centers (id),
    department_id  BIGINT REFERENCES departments (id),
    agent_id       BIGINT REFERENCES accounts (id),
    item_lineage   BIGINT NOT NULL,
    rated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (case_id, round),
    CHECK (level > 2 OR length(comment) > 0)
);
CREATE INDEX ratings_rated ON ratings (rated_at);
CREATE INDEX ratings_agent ON ratings (agent_id, rated_at);

-- What a bad rating opens, for the managers of the unit that handled the case.
CREATE TABLE follow_ups (
    id             BIGSERIAL PRIMARY KEY,
    rating_id      BIGINT NOT NULL UNIQUE REFERENCES ratings (id),
    case_id        BIGINT NOT NULL REFERENCES cases (id),
    center_id      BIGINT NOT NULL REFERENCES centers (id),
    department_id  BIGINT REFERENCES departments (id),
    contact_due    DATE NOT NULL,
    rectify_due    DATE NOT NULL,
    opened_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX follow_ups_center ON follow_ups (center_id, opened_at DESC);

-- 'contacted': the applicant was reached (how, what they said); 'rectified': what was found
-- and what was put right. Each once.
CREATE TABLE follow_up_steps (
    id             BIGSERIAL PRIMARY KEY,
    follow_up_id   BIGINT NOT NULL REFERENCES follow_ups (id),
    step           TEXT NOT NULL CHECK (step IN ('contacted', 'rectified')),
    note           TEXT NOT NULL,
    rectification  TEXT NOT NULL DEFAULT '',
    by_id          BIGINT NOT NULL REFERENCES accounts (id),
    at             TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (follow_up_id, step)
);

-- A complaint from anyone whose phone was proven by a code. Only supervisors read them.
CREATE TABLE complaints (
    id             BIGSERIAL PRIMARY KEY,
    number         TEXT NOT NULL UNIQUE,
    phone          TEXT NOT NULL,
    account_id     BIGINT REFERENCES accounts (id),
    about          TEXT NOT NULL CHECK (about IN ('agent', 'center', 'case')),
    center_id      BIGINT REFERENCES centers (id),
    agent_id       BIGINT REFERENCES accounts (id),
    case_id        BIGINT REFERENCES cases (id),
    -- 吃拿卡要: asking for or taking favours, holding things up.
    misconduct     BOOLEAN NOT NULL DEFAULT false,
    content        TEXT NOT NULL,
    due            DATE NOT NULL,
    submitted_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (center_id IS NOT NULL OR agent_id IS NOT NULL OR case_id IS NOT NULL)
);
CREATE INDEX complaints_submitted ON complaints (submitted_at);

CREATE TABLE complaint_outcomes (
    complaint_id   BIGINT PRIMARY KEY REFERENCES complaints (id),
    substantiated  BOOLEAN NOT NULL,
    outcome        TEXT NOT NULL,
    by_id          BIGINT NOT NULL REFERENCES accounts (id),
    at             TIMESTAMPTZ NOT NULL DEFAULT now()
);

ALTER TABLE phone_codes DROP CONSTRAINT phone_codes_purpose_check;
ALTER TABLE phone_codes ADD CONSTRAINT phone_codes_purpose_check
    CHECK (purpose IN ('register', 'reset', 'complaint'));

REVOKE UPDATE, DELETE, TRUNCATE ON ratings, follow_ups, follow_up_steps, complaints,
    complaint_outcomes FROM bangban_app;
