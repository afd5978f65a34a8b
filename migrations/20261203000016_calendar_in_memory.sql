-- Every server process holds the working-day calendar in memory. Any change to it, from the
-- admin page or by hand in psql, tells every process to read it again.
CREATE FUNCTION calendar_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('bangban_calendar', '');
    RETURN NULL;
END $$;

CREATE TRIGGER calendar_days_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON calendar_days
    FOR EACH STATEMENT EXECUTE FUNCTION calendar_changed();
CREATE TRIGGER calendar_years_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON calendar_years
    FOR EACH STATEMENT EXECUTE FUNCTION calendar_changed();

-- After an edit the due dates of open cases are reckoned again. The mark outlives a crash: a
-- job in any process finishes what an edit started, and clears the mark only if no newer edit
-- came in meanwhile.
CREATE TABLE calendar_refresh (
    id              BOOLEAN PRIMARY KEY DEFAULT true CHECK (id),
    pending_since   TIMESTAMPTZ,
    refreshed_at    TIMESTAMPTZ,
    refreshed_cases BIGINT NOT NULL DEFAULT 0
);
INSERT INTO calendar_refresh (id) VALUES (true);

-- The refresh walks the open cases in id order.
CREATE INDEX cases_open ON cases (id) WHERE closed_at IS NULL;
