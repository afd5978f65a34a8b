-- Before and across applications: consultations (咨询), bookings of a center's time slots
-- (预约), and packages of items from several departments with a lead department (一件事,
-- 牵头部门) applied for once, opening a parent case and one case per item.

-- A question about an item, routed to the filed agents who cover it at the chosen center.
CREATE TABLE consultations (
    id              BIGSERIAL PRIMARY KEY,
    item_id         BIGINT NOT NULL REFERENCES service_items (id),
    center_id       BIGINT NOT NULL REFERENCES centers (id),
    -- The applicant asking online; NULL for a caller or visitor an agent recorded.
    applicant_id    BIGINT REFERENCES accounts (id),
    name            TEXT NOT NULL,
    phone           TEXT NOT NULL,
    question        TEXT NOT NULL,
    channel         TEXT NOT NULL CHECK (channel IN ('online', 'phone', 'walk_in')),
    recorded_by     BIGINT REFERENCES accounts (id),
    asked_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((channel = 'online') = (recorded_by IS NULL))
);
CREATE INDEX consultations_center ON consultations (center_id, asked_at DESC);
CREATE INDEX consultations_applicant ON consultations (applicant_id, asked_at DESC);

CREATE TABLE consultation_answers (
    id               BIGSERIAL PRIMARY KEY,
    consultation_id  BIGINT NOT NULL REFERENCES consultations (id),
    agent_id         BIGINT NOT NULL REFERENCES accounts (id),
    body             TEXT NOT NULL,
    -- What was settled, carried into the application: assist or proxy.
    mode             TEXT CHECK (mode IN ('assist', 'proxy')),
    -- Working hours from the question to this answer (shared::booking::working_hours).
    working_hours    NUMERIC(8, 2) NOT NULL,
    at               TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX consultation_answers_of ON consultation_answers (consultation_id, at);

-- A center's time slots; capacity is the agents on duty. `booked` counts the live bookings and
-- can never pass the capacity: concurrent bookings of the last place cannot both succeed.
CREATE TABLE booking_slots (
    id          BIGSERIAL PRIMARY KEY,
    center_id   BIGINT NOT NULL REFERENCES centers (id),
    starts_at   TIMESTAMPTZ NOT NULL,
    minutes     INTEGER NOT NULL CHECK (minutes BETWEEN 10 AND 240),
    capacity    INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 50),
    booked      INTEGER NOT NULL DEFAULT 0,
    UNIQUE (center_id, starts_at),
    CHECK (booked BETWEEN 0 AND capacity)
);

CREATE TABLE bookings (
    id             BIGSERIAL PRIMARY KEY,
    slot_id        BIGINT NOT NULL REFERENCES booking_slots (id),
    item_id        BIGINT NOT NULL REFERENCES service_items (id),
    purpose        TEXT NOT NULL CHECK (purpose IN ('apply', 'pre_guidance')),
    applicant_id   BIGINT REFERENCES accounts (id),
    name           TEXT NOT NULL,
    phone          TEXT NOT NULL,
    channel        TEXT NOT NULL CHECK (channel IN ('online', 'phone')),
    booked_by      BIGINT NOT NULL REFERENCES accounts (id),
    status         TEXT NOT NULL DEFAULT 'booked'
                   CHECK (status IN ('booked', 'cancelled', 'attended', 'no_show')),
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    changed_at     TIMESTAMPTZ,
    reminded_at    TIMESTAMPTZ
);
-- One person holds one place in a slot.
CREATE UNIQUE INDEX bookings_one_per_slot ON bookings (slot_id, phone) WHERE status = 'booked';
CREATE INDEX bookings_slot ON bookings (slot_id);
CREATE INDEX bookings_applicant ON bookings (applicant_id, created_at DESC);

-- Packages (一件事), versioned and filed like item lists: edits go to the package's one open
-- version; filing makes it current. Items are held by lineage, so a package survives new
-- versions of the departments' lists.
CREATE TABLE packages (
    id                  BIGSERIAL PRIMARY KEY,
    lineage             BIGINT NOT NULL,
    version             INTEGER NOT NULL CHECK (version > 0),
    name                TEXT NOT NULL CHECK (length(name) BETWEEN 2 AND 60),
    description         TEXT NOT NULL DEFAULT '',
    lead_department_id  BIGINT NOT NULL REFERENCES departments (id),
    status              TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'returned', 'filed', 'superseded')),
    submitted_by        BIGINT REFERENCES accounts (id),
    submitted_at        TIMESTAMPTZ,
    decided_by          BIGINT REFERENCES accounts (id),
    decided_at          TIMESTAMPTZ,
    returned_reason     TEXT,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (lineage, version)
);
CREATE SEQUENCE package_lineage;
ALTER TABLE packages ALTER COLUMN lineage SET DEFAULT nextval('package_lineage');
CREATE UNIQUE INDEX packages_one_open ON packages (lineage) WHERE status IN ('draft', 'submitted', 'returned');
CREATE UNIQUE INDEX packages_one_current ON packages (lineage) WHERE status = 'filed';

CREATE TABLE package_items (
    package_id    BIGINT NOT NULL REFERENCES packages (id) ON DELETE CASCADE,
    seq           INTEGER NOT NULL CHECK (seq > 0),
    item_lineage  BIGINT NOT NULL,
    PRIMARY KEY (package_id, item_lineage)
);

ALTER TABLE filing_events DROP CONSTRAINT filing_events_subject_check;
ALTER TABLE filing_events ADD CONSTRAINT filing_events_subject_check
    CHECK (subject IN ('item_list', 'agent_team', 'package'));

-- A half-filled package application, like application_drafts.
CREATE TABLE package_drafts (
    applicant_id      BIGINT NOT NULL REFERENCES accounts (id),
    package_id        BIGINT NOT NULL REFERENCES packages (id),
    form              JSONB NOT NULL DEFAULT '{}',
    submission_token  UUID NOT NULL DEFAULT gen_random_uuid(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (applicant_id, package_id)
);

-- The parent case of a package application; each item is a case of its own (cases.package_case_id)
-- with its own clocks. The lead department's case's responsible agent owns the whole.
CREATE TABLE package_cases (
    id                BIGSERIAL PRIMARY KEY,
    number            TEXT NOT NULL UNIQUE,
    package_id        BIGINT NOT NULL REFERENCES packages (id),
    applicant_id      BIGINT NOT NULL REFERENCES accounts (id),
    application       JSONB NOT NULL,
    -- Results go out together unless the applicant asked for each as it is ready.
    deliver_together  BOOLEAN NOT NULL,
    lead_case_id      BIGINT,
    submission_token  UUID NOT NULL UNIQUE,
    submitted_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX package_cases_applicant ON package_cases (applicant_id, submitted_at DESC);

ALTER TABLE cases
    ADD COLUMN package_case_id BIGINT REFERENCES package_cases (id),
    ADD COLUMN consultation_id BIGINT REFERENCES consultations (id),
    ADD COLUMN booking_id BIGINT REFERENCES bookings (id);
ALTER TABLE package_cases ADD FOREIGN KEY (lead_case_id) REFERENCES cases (id);
CREATE INDEX cases_package ON cases (package_case_id) WHERE package_case_id IS NOT NULL;

REVOKE UPDATE, DELETE, TRUNCATE ON consultations, consultation_answers FROM bangban_app;

-- An application begun from a booking or a consultation keeps where it came from.
ALTER TABLE application_drafts
    ADD COLUMN booking_id BIGINT REFERENCES bookings (id),
    ADD COLUMN consultation_id BIGINT REFERENCES consultations (id);
