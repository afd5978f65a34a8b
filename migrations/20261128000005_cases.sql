-- Cases (代办件): one application for assisted or proxy handling of one item, opened under the
-- item's version at the time (service_items rows of filed lists never change).
CREATE TABLE case_number_days (
    day   DATE PRIMARY KEY,
    last  INTEGER NOT NULL
);

CREATE TABLE cases (
    id                BIGSERIAL PRIMARY KEY,
    number            TEXT NOT NULL UNIQUE,
    applicant_id      BIGINT NOT NULL REFERENCES accounts (id),
    item_id           BIGINT NOT NULL REFERENCES service_items (id),
    -- Where the case is handled now (forwarding moves it to the county center).
    center_id         BIGINT NOT NULL REFERENCES centers (id),
    department_id     BIGINT REFERENCES departments (id),
    agent_id          BIGINT REFERENCES accounts (id),
    channel           TEXT NOT NULL CHECK (channel IN ('online', 'phone', 'walk_in')),
    mode              TEXT NOT NULL CHECK (mode IN ('assist', 'proxy')),
    state             TEXT NOT NULL,
    -- Optimistic concurrency: every transition bumps it.
    version           INTEGER NOT NULL DEFAULT 1,
    -- The checked form (shared::application::Application) as submitted.
    application       JSONB NOT NULL,
    applicant_kind    TEXT NOT NULL CHECK (applicant_kind IN ('enterprise', 'citizen')),
    unit_name         TEXT NOT NULL,
    handler_phone     TEXT NOT NULL,
    submission_token  UUID NOT NULL UNIQUE,
    submitted_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    received_at       TIMESTAMPTZ,
    closed_at         TIMESTAMPTZ
);
CREATE INDEX cases_applicant ON cases (applicant_id, submitted_at DESC);
CREATE INDEX cases_center_open ON cases (center_id, state) WHERE closed_at IS NULL;

-- Every step of a case: who, when, what (a shared::case::CaseEvent), why.
CREATE TABLE case_events (
    id        BIGSERIAL PRIMARY KEY,
    case_id   BIGINT NOT NULL REFERENCES cases (id),
    actor_id  BIGINT NOT NULL REFERENCES accounts (id),
    event     JSONB NOT NULL,
    note      TEXT,
    at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX case_events_case ON case_events (case_id, at, id);

-- A half-filled application, one per applicant and item, kept across reloads. The token makes
-- a double-clicked submit create one case.
CREATE TABLE application_drafts (
    applicant_id      BIGINT NOT NULL REFERENCES accounts (id),
    item_id           BIGINT NOT NULL REFERENCES service_items (id),
    form              JSONB NOT NULL DEFAULT '{}',
    submission_token  UUID NOT NULL DEFAULT gen_random_uuid(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (applicant_id, item_id)
);

-- Files people hand in: stored on disk outside the served site under a server-chosen name.
CREATE TABLE stored_files (
    id             BIGSERIAL PRIMARY KEY,
    case_id        BIGINT REFERENCES cases (id),
    uploaded_by    BIGINT NOT NULL REFERENCES accounts (id),
    purpose        TEXT NOT NULL CHECK (purpose IN ('material', 'power_of_attorney', 'supplement', 'signature')),
    original_name  TEXT NOT NULL,
    stored_name    TEXT NOT NULL UNIQUE,
    content_type   TEXT NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    size_bytes     BIGINT NOT NULL CHECK (size_bytes > 0),
    sha256         TEXT NOT NULL,
    uploaded_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX stored_files_case ON stored_files (case_id);
CREATE INDEX stored_files_uploader ON stored_files (uploaded_by) WHERE case_id IS NULL;

-- Every opening of a file: who, when, which file.
CREATE TABLE file_accesses (
    id          BIGSERIAL PRIMARY KEY,
    file_id     BIGINT NOT NULL REFERENCES stored_files (id),
    account_id  BIGINT NOT NULL REFERENCES accounts (id),
    ip          TEXT,
    at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX file_accesses_file ON file_accesses (file_id, at);

ALTER TABLE cases ADD COLUMN signature_file BIGINT REFERENCES stored_files (id);

-- Outbox of SMS and in-app messages; a worker sends SMS with retries and never drops one.
CREATE TABLE notifications (
    id               BIGSERIAL PRIMARY KEY,
    account_id       BIGINT REFERENCES accounts (id),
    case_id          BIGINT REFERENCES cases (id),
    channel          TEXT NOT NULL CHECK (channel IN ('sms', 'in_app')),
    phone            TEXT,
    template         TEXT NOT NULL,
    body             TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_error       TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at          TIMESTAMPTZ,
    read_at          TIMESTAMPTZ,
    CHECK (channel <> 'sms' OR phone IS NOT NULL)
);
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE status = 'pending';
CREATE INDEX notifications_account ON notifications (account_id, created_at DESC);
