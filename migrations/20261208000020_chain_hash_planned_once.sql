-- Each event's hash is computed in its chain's trigger, which runs with TimeZone = 'UTC' as
-- the hash functions do: the same hash, but planned once per connection. Calling
-- case_event_hash (a SQL function with its own SET clause, never inlined) parsed and planned
-- its body again for every event of every step.
CREATE OR REPLACE FUNCTION case_events_chain() RETURNS trigger
LANGUAGE plpgsql SET TimeZone = 'UTC' AS $$
BEGIN
    SELECT hash INTO NEW.prev_hash FROM case_events WHERE case_id = NEW.case_id ORDER BY id DESC LIMIT 1;
    NEW.prev_hash := COALESCE(NEW.prev_hash, '');
    NEW.hash := chained_hash(NEW.prev_hash, to_jsonb(NEW));
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION audit_chain() RETURNS trigger
LANGUAGE plpgsql SET TimeZone = 'UTC' AS $$
BEGIN
    -- One writer at a time, until commit: the chain's order is the order of commits.
    PERFORM pg_advisory_xact_lock(hashtext('audit_log'));
    NEW.id := nextval('audit_log_seq');
    SELECT hash INTO NEW.prev_hash FROM audit_log ORDER BY id DESC LIMIT 1;
    NEW.prev_hash := COALESCE(NEW.prev_hash, '');
    NEW.hash := chained_hash(NEW.prev_hash, to_jsonb(NEW));
    RETURN NEW;
END $$;
