-- Live work across server processes (issue 14): changes of cases and messages are announced
-- with NOTIFY (delivered at commit, so only what was saved is announced), staff choose SMS
-- alerts, alerts are sent once, and SMS carry the gateway's answer.

-- Every case change appends an event: announce it with the case, for pushed page updates.
CREATE FUNCTION announce_case_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('bangban_case', NEW.id::text || ',' || NEW.case_id::text);
    RETURN NULL;
END $$;
CREATE TRIGGER case_events_announce AFTER INSERT ON case_events
    FOR EACH ROW EXECUTE FUNCTION announce_case_event();

-- A new in-app message, a message read, or an SMS's delivery status changed: tell the account.
CREATE FUNCTION announce_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.account_id IS NOT NULL THEN
        PERFORM pg_notify('bangban_inbox', NEW.account_id::text);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER notifications_announce AFTER INSERT OR UPDATE OF status, read_at ON notifications
    FOR EACH ROW EXECUTE FUNCTION announce_message();

CREATE INDEX notifications_unread ON notifications (account_id)
    WHERE channel = 'in_app' AND read_at IS NULL;
CREATE INDEX notifications_case ON notifications (case_id, id DESC) WHERE case_id IS NOT NULL;

-- An SMS the gateway refused for good (a wrong number, a template not approved) is 'failed':
-- not retried, shown as failed. provider_ref is the gateway's id of the message.
ALTER TABLE notifications DROP CONSTRAINT notifications_status_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_status_check
    CHECK (status IN ('pending', 'sent', 'failed'));
ALTER TABLE notifications ADD COLUMN provider_ref TEXT;
ALTER TABLE notifications ADD COLUMN kind TEXT NOT NULL DEFAULT 'applicant'
    CHECK (kind IN ('applicant', 'staff_alert', 'code'));

-- Staff get alerts in the app always, by SMS when they chose it.
ALTER TABLE accounts ADD COLUMN sms_alerts BOOLEAN NOT NULL DEFAULT false;

-- When the nearest running clock of an open case reaches 75 % of its limit (amber): the alert
-- job's index, kept by the write path beside due_at.
ALTER TABLE cases ADD COLUMN warn_at TIMESTAMPTZ;
CREATE INDEX cases_warn ON cases (warn_at) WHERE warn_at IS NOT NULL;
CREATE INDEX cases_due ON cases (due_at) WHERE due_at IS NOT NULL;

-- Each timed alert once: its key (kind, case, recipient, the clock's due instant…) is inserted
-- in the transaction that queues the message; a second process finds it there.
CREATE TABLE alerts_sent (
    key  TEXT PRIMARY KEY,
    at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
