-- Every server process holds the accounts of its signed-in callers in memory (each request
-- needs its caller). A change to who someone is or whether they may sign in tells every
-- process to read them again; counting failed logins does not.
CREATE FUNCTION accounts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('bangban_accounts', '');
    RETURN NULL;
END $$;

CREATE TRIGGER accounts_changed
    AFTER INSERT OR DELETE OR UPDATE OF role, display_name, center_id, department_id,
        password_hash, must_change_password, disabled_at, phone_verified_at
    ON accounts FOR EACH STATEMENT EXECUTE FUNCTION accounts_changed();
CREATE TRIGGER accounts_truncated AFTER TRUNCATE ON accounts
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_changed();
