-- Privileges of the role the app connects as, on PostgreSQL (docs/operations.md, "The audit
-- role"). Run it as the role that owns the tables (the one that runs `flask db upgrade`),
-- after every upgrade, with cadence_app replaced by your application role, e.g.
--   psql "$OWNER_URL" -v ON_ERROR_STOP=1 -f docs/app_role.sql
GRANT USAGE ON SCHEMA public TO cadence_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO cadence_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO cadence_app;
-- The audit trail is appended to and read, never changed or emptied.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM cadence_app;
-- Except that the nightly job blanks old addresses and user agents: these two columns only,
-- and migration 0013's trigger lets an UPDATE through only when it sets both to NULL.
GRANT UPDATE (ip, user_agent) ON audit_events TO cadence_app;
-- Only migrations, run by the owner, record the schema version.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM cadence_app;
