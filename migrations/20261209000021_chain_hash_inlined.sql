-- The hash of a chained row is planned into the trigger's own statement, not planned again for
-- every row: PostgreSQL inlines a SQL function only when its body is no more volatile than it
-- says, and convert_to is STABLE. The hash itself is unchanged.
ALTER FUNCTION chained_hash(TEXT, JSONB) STABLE;
