-- uninstall.sql — `leadstore uninstall` (src/pg/adopt.c), the way back the
-- plan's rollback asks for: leadstore's functions go, the data stay.
--
-- Every table, row and column stays (the columns adoption added included),
-- and so do leadstore_quarantine and leadstore_migrations' record of the
-- schema migrations; the legacy application goes on writing the tables.
-- In one transaction, under the migration lock:
--   * column defaults that call leadstore's functions go back to
--     gen_random_uuid() and now();
--   * leadstore's read policies (0008) go, every leadstore function
--     (ls_*, the operations, the upstream-name aliases of 0011) and the
--     ls_operations table go;
--   * the legacy grants, row-level security and policies that adoption
--     saved in leadstore_adoption come back (they stay saved there: check
--     --repair on an uninstalled database installs the functions for its
--     transaction and runs these steps again before it commits);
--   * the records of the repeatable migrations (the functions) are
--     forgotten, so that `leadstore adopt` (or migrate) installs them again.

-- name: reset_defaults
DO $defaults$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT c.table_name, c.column_name, c.column_default FROM information_schema.columns c
            WHERE c.table_schema = 'public' AND c.table_name LIKE 'gmaps\_%'
              AND c.column_default ~ '^ls_(new_id|now)\('
  LOOP
    EXECUTE format('ALTER TABLE %I ALTER COLUMN %I SET DEFAULT %s', r.table_name, r.column_name,
                   CASE WHEN r.column_default LIKE 'ls_new_id%' THEN 'gen_random_uuid()' ELSE 'now()' END);
  END LOOP;
END
$defaults$

-- name: drop_leadstore_policies
DO $policies$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT tablename, policyname FROM pg_policies
            WHERE schemaname = 'public' AND tablename LIKE 'gmaps\_%' AND policyname LIKE 'ls\_%'
  LOOP
    EXECUTE format('DROP POLICY %I ON %I', r.policyname, r.tablename);
  END LOOP;
END
$policies$

-- name: drop_functions
DO $functions$
DECLARE
  f regprocedure;
BEGIN
  FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
            WHERE p.pronamespace = 'public'::regnamespace
              AND (p.proname LIKE 'ls\_%'
                   OR p.proname IN (SELECT name FROM ls_operations)
                   OR obj_description(p.oid, 'pg_proc') LIKE 'leadstore alias of %')
  LOOP
    EXECUTE format('DROP FUNCTION %s', f);
  END LOOP;
END
$functions$

-- name: drop_operations_table
DROP TABLE ls_operations

-- name: restore_row_security
DO $rls$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT table_name FROM leadstore_adoption
            WHERE kind = 'rls' AND NOT (definition ->> 'enabled')::boolean
              AND to_regclass(quote_ident(table_name)) IS NOT NULL
  LOOP
    EXECUTE format('ALTER TABLE %I DISABLE ROW LEVEL SECURITY', r.table_name);
  END LOOP;
END
$rls$

-- name: restore_grants
DO $grants$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT table_name, definition ->> 'privilege' AS privilege, definition ->> 'grantee' AS grantee
             FROM leadstore_adoption
            WHERE kind = 'grant' AND to_regclass(quote_ident(table_name)) IS NOT NULL
  LOOP
    EXECUTE format('GRANT %s ON TABLE %I TO %s', r.privilege, r.table_name,
                   CASE WHEN r.grantee = 'PUBLIC' THEN 'PUBLIC' ELSE quote_ident(r.grantee) END);
  END LOOP;
END
$grants$

-- name: restore_policies
DO $policies$
DECLARE
  r record;
  d jsonb;
BEGIN
  FOR r IN SELECT table_name, definition FROM leadstore_adoption
            WHERE kind = 'policy' AND to_regclass(quote_ident(table_name)) IS NOT NULL
            ORDER BY table_name, definition ->> 'name'
  LOOP
    d := r.definition;
    CONTINUE WHEN EXISTS (SELECT 1 FROM pg_policies WHERE schemaname = 'public' AND tablename = r.table_name
                                                     AND policyname = d ->> 'name');
    EXECUTE format('CREATE POLICY %I ON %I AS %s FOR %s TO %s%s%s', d ->> 'name', r.table_name, d ->> 'permissive',
                   d ->> 'cmd',
                   (SELECT string_agg(CASE WHEN x = 'public' THEN 'PUBLIC' ELSE quote_ident(x) END, ', ')
                      FROM jsonb_array_elements_text(d -> 'roles') x),
                   CASE WHEN d ->> 'qual' IS NOT NULL THEN ' USING (' || (d ->> 'qual') || ')' ELSE '' END,
                   CASE WHEN d ->> 'with_check' IS NOT NULL THEN ' WITH CHECK (' || (d ->> 'with_check') || ')' ELSE '' END);
  END LOOP;
END
$policies$

-- name: forget_function_migrations
DELETE FROM leadstore_migrations WHERE name = ANY ($1::text[])
