-- Tamper-evident records. The audit log keeps who did what, when and from where: staff,
-- organization and account changes, files attached to cases, and views of a case's personal
-- data. Its rows form one hash chain; each case's events form a chain of their own (the write
-- path already holds the case's lock, so no global lock is needed for them). Each row's hash
-- covers its predecessor's hash and all its non-null columns, so a changed row breaks its own
-- hash and a missing one breaks its successor's link; `server --verify-audit` walks the chains.
--
-- A column added later to a chained table must be nullable without a default, so that the
-- hashes of older rows (which do not have it) stay valid.

-- The content of a row as hashed: every non-null column but the hashes, timestamps in UTC.
CREATE FUNCTION chained_hash(prev TEXT, r JSONB) RETURNS TEXT
LANGUAGE sql IMMUTABLE AS $$
    SELECT encode(sha256(convert_to(prev || chr(10) || (jsonb_strip_nulls(r) - 'hash' - 'prev_hash')::text, 'UTF8')), 'hex')
$$;

CREATE SEQUENCE audit_log_seq;
CREATE TABLE audit_log (
    -- Numbered inside the chain's lock (see audit_chain), so numbers follow the chain.
    id         BIGINT PRIMARY KEY,
    at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    actor_id   BIGINT REFERENCES accounts (id),
    ip         TEXT,
    action     TEXT NOT NULL CHECK (length(action) BETWEEN 3 AND 60),
    subject    TEXT NOT NULL,
    detail     JSONB NOT NULL DEFAULT '{}',
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log (subject, id);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);

CREATE FUNCTION audit_log_hash(a audit_log) RETURNS TEXT
LANGUAGE sql STABLE SET TimeZone = 'UTC' AS $$ SELECT chained_hash(a.prev_hash, to_jsonb(a)) $$;

CREATE FUNCTION audit_chain() RETURNS trigger
LANGUAGE plpgsql SET TimeZone = 'UTC' AS $$
BEGIN
    -- One writer at a time, until commit: the chain's order is the order of commits.
    PERFORM pg_advisory_xact_lock(hashtext('audit_log'));
    NEW.id := nextval('audit_log_seq');
    SELECT hash INTO NEW.prev_hash FROM audit_log ORDER BY id DESC LIMIT 1;
    NEW.prev_hash := COALESCE(NEW.prev_hash, '');
    NEW.hash := audit_log_hash(NEW);
    RETURN NEW;
END $$;
CREATE TRIGGER audit_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_chain();

ALTER TABLE case_events ADD COLUMN prev_hash TEXT, ADD COLUMN hash TEXT;

CREATE FUNCTION case_event_hash(e case_events) RETURNS TEXT
LANGUAGE sql STABLE SET TimeZone = 'UTC' AS $$ SELECT chained_hash(e.prev_hash, to_jsonb(e)) $$;

CREATE FUNCTION case_events_chain() RETURNS trigger
LANGUAGE plpgsql SET TimeZone = 'UTC' AS $$
BEGIN
    SELECT hash INTO NEW.prev_hash FROM case_events WHERE case_id = NEW.case_id ORDER BY id DESC LIMIT 1;
    NEW.prev_hash := COALESCE(NEW.prev_hash, '');
    NEW.hash := case_event_hash(NEW);
    RETURN NEW;
END $$;

-- Events recorded before the chains existed are chained now, in their order.
DO $$
DECLARE
    e case_events;
    prev TEXT;
    last_case BIGINT;
BEGIN
    FOR e IN SELECT * FROM case_events ORDER BY case_id, id LOOP
        IF last_case IS DISTINCT FROM e.case_id THEN
            prev := '';
            last_case := e.case_id;
        END IF;
        e.prev_hash := prev;
        e.hash := case_event_hash(e);
        UPDATE case_events SET prev_hash = e.prev_hash, hash = e.hash WHERE id = e.id;
        prev := e.hash;
    END LOOP;
END $$;
ALTER TABLE case_events ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN hash SET NOT NULL;
CREATE TRIGGER case_events_chain BEFORE INSERT ON case_events FOR EACH ROW EXECUTE FUNCTION case_events_chain();

-- Uploads the retention job removed from disk keep their record (and who opened them).
ALTER TABLE stored_files ADD COLUMN removed_at TIMESTAMPTZ;

-- The role the server runs as: everything it needs, but records only ever appended. Migrations
-- run as the owner. (Creating the role needs CREATEROLE; several databases of one cluster —
-- tests, counties — share it.)
DO $$
BEGIN
    CREATE ROLE bangban_app NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
GRANT USAGE ON SCHEMA public TO bangban_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO bangban_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO bangban_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO bangban_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO bangban_app;
-- Append-only: a new such table revokes the same in its own migration.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log, case_events, login_events, file_accesses FROM bangban_app;
REVOKE ALL ON _sqlx_migrations FROM bangban_app;
