-- privileges.sql — the first steps of `leadstore adopt` (src/pg/adopt.c),
-- on an upstream database and again when leadstore comes back after
-- `leadstore uninstall`: Supabase's roles, leadstore's own tables
-- (leadstore_quarantine: the rows the adoption could not keep, with the
-- reason; leadstore_adoption: the legacy privileges), and the legacy
-- table privileges, row-level security and policies saved there, then the
-- legacy policies dropped — the upstream's policies let anon and
-- authenticated read and write every row, which would undo leadstore's
-- organizations (0008).  `leadstore uninstall` puts them back.

-- name: create_roles
DO $roles$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN CREATE ROLE anon NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN CREATE ROLE authenticated NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'service_role') THEN CREATE ROLE service_role NOLOGIN; END IF;
END
$roles$

-- name: create_quarantine
CREATE TABLE IF NOT EXISTS leadstore_quarantine (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  table_name     text NOT NULL,
  row_id         uuid,
  reason         text NOT NULL,
  row_data       jsonb NOT NULL,
  quarantined_at timestamptz NOT NULL DEFAULT now()
)

-- name: create_adoption
CREATE TABLE IF NOT EXISTS leadstore_adoption (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind       text NOT NULL CHECK (kind IN ('grant', 'policy', 'rls')),
  table_name text NOT NULL,
  definition jsonb NOT NULL,
  saved_at   timestamptz NOT NULL DEFAULT now()
)

-- name: protect_leadstore_tables
DO $protect$
BEGIN
  ALTER TABLE leadstore_quarantine ENABLE ROW LEVEL SECURITY;
  ALTER TABLE leadstore_adoption ENABLE ROW LEVEL SECURITY;
  REVOKE ALL ON TABLE leadstore_quarantine, leadstore_adoption FROM PUBLIC, anon, authenticated, service_role;
END
$protect$

--- The legacy privileges, saved for `leadstore uninstall` -------------------------

-- name: forget_saved_privileges
DELETE FROM leadstore_adoption

-- name: save_grants
INSERT INTO leadstore_adoption (kind, table_name, definition)
SELECT 'grant', c.relname,
       jsonb_build_object('grantee', CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END,
                          'privilege', a.privilege_type)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace CROSS JOIN LATERAL aclexplode(c.relacl) a
 WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname LIKE 'gmaps\_%' AND a.grantee <> c.relowner

-- name: save_row_security
INSERT INTO leadstore_adoption (kind, table_name, definition)
SELECT 'rls', c.relname, jsonb_build_object('enabled', c.relrowsecurity)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname LIKE 'gmaps\_%'

-- name: save_policies
INSERT INTO leadstore_adoption (kind, table_name, definition)
SELECT 'policy', tablename,
       jsonb_build_object('name', policyname, 'permissive', permissive, 'roles', to_jsonb(roles), 'cmd', cmd,
                          'qual', qual, 'with_check', with_check)
  FROM pg_policies WHERE schemaname = 'public' AND tablename LIKE 'gmaps\_%' AND policyname NOT LIKE 'ls\_%'

-- name: drop_legacy_policies
DO $drop$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT tablename, policyname FROM pg_policies
            WHERE schemaname = 'public' AND tablename LIKE 'gmaps\_%' AND policyname NOT LIKE 'ls\_%'
  LOOP
    EXECUTE format('DROP POLICY %I ON %I', r.policyname, r.tablename);
  END LOOP;
END
$drop$

