-- 07_read_policies.sql — reading the tables directly (0008 and the grants of
-- 0006), as Supabase/PostgREST would with real roles: an authenticated
-- caller sees exactly its organization's rows in every table and none of
-- another's, and claims of service_role (or none) do not widen that; anon
-- reads nothing; service_role reads everything; no client role writes any
-- table.  The data is made through the functions, by two
-- organizations and by service_role, so every table holds rows of each.
BEGIN;
SELECT * FROM no_plan();

/*--- The data: organizations A and B, and service_role ---------------------------------------*/

CREATE FUNCTION pg_temp.fill(p_name text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  c text;
  b text;
BEGIN
  c := create_campaign_with_coverage_tx(p_campaign_data => jsonb_build_object('name', p_name),
                                        p_coverage_data => '[{"zip": "10001"}, {"zip": "10002"}]',
                                        p_request_id => 'create ' || p_name) ->> 'campaign_id';
  PERFORM update_campaign_status_tx(c, 'running');
  b := batch_upsert_businesses_tx(c, '10001', jsonb_build_array(jsonb_build_object(
         'place_id', 'place ' || p_name, 'name', 'Shop ' || p_name, 'email', 'shop@' || p_name || '.example',
         'facebook_url', 'https://facebook.com/' || p_name))) -> 'results' -> 0 ->> 'business_id';
  PERFORM update_coverage_status_tx(c, '10001', '{"businesses_found": 1}');
  PERFORM save_facebook_enrichment_tx(b, c, jsonb_build_object('success', true, 'primary_email', 'fb@' || p_name || '.example'));
  PERFORM save_linkedin_enrichment_tx(b, c, '{"linkedin_url": "https://linkedin.com/company/x"}');
  PERFORM update_email_verification_tx('google_maps', b, jsonb_build_object('email', 'fb@' || p_name || '.example',
                                                                             'status', 'deliverable', 'score', 90));
  PERFORM track_api_cost_tx(c, 'google_maps', '{"cost_usd": 0.5}', p_request_id => 'cost ' || p_name);
END
$$;

SELECT set_config('request.jwt.claims', '{"role": "authenticated", "organization_id": "aaaaaaaa-0000-4000-8000-0000000000a1"}', true);
SELECT pg_temp.fill('a');
SELECT set_config('request.jwt.claims', '{"role": "authenticated", "organization_id": "bbbbbbbb-0000-4000-8000-0000000000b2"}', true);
SELECT pg_temp.fill('b');
SELECT set_config('request.jwt.claims', '{"role": "service_role"}', true);
SELECT pg_temp.fill('s');
SELECT set_config('request.jwt.claims', '', true);

-- every row of every table with its organization ('' for none), read as the owner
CREATE TEMP TABLE expect_rows AS
  SELECT 'gmaps_campaigns'::text AS tbl, id::text AS id, coalesce(organization_id::text, '') AS org FROM gmaps_campaigns
  UNION ALL SELECT 'gmaps_campaign_coverage', x.id::text, coalesce(c.organization_id::text, '')
              FROM gmaps_campaign_coverage x JOIN gmaps_campaigns c ON c.id = x.campaign_id
  UNION ALL SELECT 'gmaps_businesses', x.id::text, coalesce(c.organization_id::text, '')
              FROM gmaps_businesses x JOIN gmaps_campaigns c ON c.id = x.campaign_id
  UNION ALL SELECT 'gmaps_facebook_enrichments', x.id::text, coalesce(c.organization_id::text, '')
              FROM gmaps_facebook_enrichments x JOIN gmaps_campaigns c ON c.id = x.campaign_id
  UNION ALL SELECT 'gmaps_linkedin_enrichments', x.id::text, coalesce(c.organization_id::text, '')
              FROM gmaps_linkedin_enrichments x JOIN gmaps_campaigns c ON c.id = x.campaign_id
  UNION ALL SELECT 'gmaps_api_costs', x.id::text, coalesce(c.organization_id::text, '')
              FROM gmaps_api_costs x JOIN gmaps_campaigns c ON c.id = x.campaign_id
  UNION ALL SELECT 'gmaps_email_verifications', x.id::text, coalesce(c.organization_id::text, '')
              FROM gmaps_email_verifications x JOIN gmaps_campaigns c ON c.id = x.campaign_id
  UNION ALL SELECT 'gmaps_campaign_status_history', x.id::text, coalesce(c.organization_id::text, '')
              FROM gmaps_campaign_status_history x JOIN gmaps_campaigns c ON c.id = x.campaign_id
  UNION ALL SELECT 'gmaps_rpc_requests', id::text, organization_id FROM gmaps_rpc_requests;
GRANT SELECT ON expect_rows TO anon, authenticated, service_role;

-- the tables of the data model, as the catalog has them
CREATE TEMP TABLE data_tables AS
  SELECT c.relname::text AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname LIKE 'gmaps\_%';
GRANT SELECT ON data_tables TO anon, authenticated, service_role;

-- the ids of table t that the current role sees
CREATE FUNCTION pg_temp.seen(t text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY EXECUTE format('SELECT id::text FROM %I', t);
END
$$;

-- the plan of reading table t as the current role
CREATE FUNCTION pg_temp.plan(t text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY EXECUTE format('EXPLAIN (COSTS OFF) SELECT * FROM %I', t);
END
$$;

SELECT is((SELECT count(*)::int FROM data_tables), 9, 'nine tables in the data model');
SELECT is((SELECT count(DISTINCT tbl)::int FROM expect_rows WHERE org = o), 9,
          'every table holds rows of ' || coalesce(nullif(o, ''), 'no organization'))
  FROM unnest(ARRAY['aaaaaaaa-0000-4000-8000-0000000000a1', 'bbbbbbbb-0000-4000-8000-0000000000b2', '']) o;

/*--- The catalog: RLS on, SELECT-only policies, SELECT-only grants --------------------------*/

SELECT ok((SELECT relrowsecurity FROM pg_class WHERE oid = t::regclass), t || ' has row-level security on')
  FROM data_tables ORDER BY t;
SELECT is(ARRAY(SELECT p.policyname || ':' || p.cmd || ':' || array_to_string(p.roles, ',')
                  FROM pg_policies p WHERE p.schemaname = 'public' AND p.tablename = t ORDER BY 1),
          ARRAY['ls_read_all:SELECT:service_role', 'ls_read_own_organization:SELECT:authenticated'],
          t || ': one SELECT policy for authenticated, one for service_role, nothing else')
  FROM data_tables ORDER BY t;
SELECT is(ARRAY(SELECT r || ':' || priv FROM unnest(ARRAY['anon', 'authenticated', 'service_role', 'public']) r,
                       unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) priv
                 WHERE has_table_privilege(r, t, priv) ORDER BY 1),
          ARRAY['authenticated:SELECT', 'service_role:SELECT'],
          t || ': SELECT to authenticated and service_role, nothing else to any client role')
  FROM data_tables ORDER BY t;
SELECT is_empty($$
  SELECT r || ' on ' || t FROM unnest(ARRAY['anon', 'authenticated', 'service_role', 'public']) r,
                               unnest(ARRAY['ls_operations', 'leadstore_migrations']) t
   WHERE has_table_privilege(r, t, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
$$, 'the internal tables are out of every client role''s reach');

-- a Supabase project gives anon, authenticated and service_role everything on
-- a new table (its default privileges): ls_apply_grants takes it back
GRANT ALL ON gmaps_businesses, ls_operations TO anon, authenticated, service_role;
SELECT ls_apply_grants();
SELECT ok(NOT has_table_privilege('anon', 'gmaps_businesses', 'SELECT')
          AND NOT has_table_privilege('authenticated', 'gmaps_businesses', 'INSERT, UPDATE, DELETE, TRUNCATE')
          AND NOT has_table_privilege('service_role', 'gmaps_businesses', 'INSERT, UPDATE, DELETE, TRUNCATE')
          AND has_table_privilege('authenticated', 'gmaps_businesses', 'SELECT')
          AND NOT has_table_privilege('anon', 'ls_operations', 'SELECT, UPDATE'),
          'grants like a Supabase project''s defaults are taken back by ls_apply_grants');

/*--- authenticated: exactly its organization's rows --------------------------------------------*/

SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"role": "authenticated", "organization_id": "aaaaaaaa-0000-4000-8000-0000000000a1"}', true);
SELECT is(ARRAY(SELECT pg_temp.seen(t) ORDER BY 1),
          ARRAY(SELECT id FROM expect_rows WHERE tbl = t AND org = 'aaaaaaaa-0000-4000-8000-0000000000a1' ORDER BY 1),
          t || ': organization A sees exactly its own rows')
  FROM data_tables ORDER BY t;
SELECT is_empty(format('SELECT id FROM expect_rows WHERE tbl = %L AND org <> %L INTERSECT SELECT pg_temp.seen(%L)',
                       t, 'aaaaaaaa-0000-4000-8000-0000000000a1', t),
                t || ': organization A sees none of organization B''s or service_role''s rows')
  FROM data_tables ORDER BY t;
-- the policies keep reads on the indexes: with sequential scans disabled no
-- table is read by one (a policy PostgreSQL cannot use an index for leaves it no choice)
SET LOCAL enable_seqscan = off;
SELECT is_empty(format('SELECT * FROM pg_temp.plan(%L) p WHERE p LIKE %L', t, '%Seq Scan%'),
                t || ': its rows are found through an index')
  FROM data_tables ORDER BY t;
RESET enable_seqscan;
SELECT is((SELECT name FROM gmaps_campaigns), 'a', 'supabase.from(''gmaps_campaigns'').select() as A: its campaign');
SELECT is((SELECT count(*)::int FROM gmaps_businesses b JOIN gmaps_facebook_enrichments f ON f.business_id = b.id), 1,
          'a join across tables stays within the organization');

SELECT set_config('request.jwt.claims', '{"role": "authenticated", "organization_id": "bbbbbbbb-0000-4000-8000-0000000000b2"}', true);
SELECT is(ARRAY(SELECT pg_temp.seen(t) ORDER BY 1),
          ARRAY(SELECT id FROM expect_rows WHERE tbl = t AND org = 'bbbbbbbb-0000-4000-8000-0000000000b2' ORDER BY 1),
          t || ': organization B sees exactly its own rows')
  FROM data_tables ORDER BY t;

-- callers without an organization of their own see nothing
SELECT set_config('request.jwt.claims', '{"role": "authenticated", "organization_id": "cccccccc-0000-4000-8000-0000000000c3"}', true);
SELECT is_empty(format('SELECT pg_temp.seen(%L)', t), t || ': an organization without data sees nothing')
  FROM data_tables ORDER BY t;
-- claims cannot out-rank the session (ls_caller_org, the functions' rule):
-- no claims, or claims of service_role, fail the read instead of widening it
SELECT set_config('request.jwt.claims', '', true);
SELECT throws_ok(format('SELECT pg_temp.seen(%L)', t), '42501', NULL, t || ': authenticated without claims is refused')
  FROM data_tables ORDER BY t;
SELECT set_config('request.jwt.claims', '{"role": "service_role"}', true);
SELECT throws_ok(format('SELECT pg_temp.seen(%L)', t), '42501', NULL,
                 t || ': authenticated with service_role claims is refused')
  FROM data_tables ORDER BY t;
-- claims present but malformed fail the read, as they fail a call
SELECT set_config('request.jwt.claims', '{"role": "authenticated"}', true);
SELECT throws_ok('SELECT * FROM gmaps_campaigns', '42501', NULL, 'authenticated claims without an organization are refused');
SELECT set_config('request.jwt.claims', 'not json', true);
SELECT throws_ok('SELECT * FROM gmaps_businesses', '42501', NULL, 'claims that are not JSON are refused');

-- and it writes nothing, whatever its claims
SELECT set_config('request.jwt.claims', '{"role": "authenticated", "organization_id": "aaaaaaaa-0000-4000-8000-0000000000a1"}', true);
SELECT throws_ok(format('INSERT INTO %I (id) VALUES (gen_random_uuid())', t), '42501', NULL, t || ': authenticated may not INSERT')
  FROM data_tables ORDER BY t;
SELECT throws_ok(format('UPDATE %I SET id = id', t), '42501', NULL, t || ': authenticated may not UPDATE')
  FROM data_tables ORDER BY t;
SELECT throws_ok(format('DELETE FROM %I', t), '42501', NULL, t || ': authenticated may not DELETE')
  FROM data_tables ORDER BY t;
SELECT throws_ok(format('TRUNCATE %I CASCADE', t), '42501', NULL, t || ': authenticated may not TRUNCATE')
  FROM data_tables ORDER BY t;
SELECT is(get_campaign((SELECT id::text FROM gmaps_campaigns)) -> 'campaign' ->> 'name', 'a',
          'the functions still serve it (they run as their owner)');
RESET ROLE;

/*--- anon: nothing ------------------------------------------------------------------------------*/

SET LOCAL ROLE anon;
SELECT set_config('request.jwt.claims', '{"role": "anon"}', true);
SELECT throws_ok(format('SELECT * FROM %I', t), '42501', NULL, t || ': anon may not read') FROM data_tables ORDER BY t;
SELECT set_config('request.jwt.claims', '{"role": "authenticated", "organization_id": "aaaaaaaa-0000-4000-8000-0000000000a1"}', true);
SELECT throws_ok(format('SELECT * FROM %I', t), '42501', NULL, t || ': anon may not read, whatever its claims say')
  FROM data_tables ORDER BY t;
SELECT throws_ok(format('DELETE FROM %I', t), '42501', NULL, t || ': anon may not DELETE') FROM data_tables ORDER BY t;
RESET ROLE;

/*--- service_role: everything, and still no writes ----------------------------------------------*/

SET LOCAL ROLE service_role;
SELECT set_config('request.jwt.claims', '{"role": "service_role"}', true);
SELECT is(ARRAY(SELECT pg_temp.seen(t) ORDER BY 1), ARRAY(SELECT id FROM expect_rows WHERE tbl = t ORDER BY 1),
          t || ': service_role sees every row')
  FROM data_tables ORDER BY t;
SELECT set_config('request.jwt.claims', '{"role": "authenticated", "organization_id": "aaaaaaaa-0000-4000-8000-0000000000a1"}', true);
SELECT is((SELECT count(*)::int FROM gmaps_campaigns), 3, 'service_role sees every campaign, whatever its claims say');
SELECT throws_ok(format('INSERT INTO %I (id) VALUES (gen_random_uuid())', t), '42501', NULL, t || ': service_role may not INSERT')
  FROM data_tables ORDER BY t;
SELECT throws_ok(format('UPDATE %I SET id = id', t), '42501', NULL, t || ': service_role may not UPDATE')
  FROM data_tables ORDER BY t;
SELECT throws_ok(format('DELETE FROM %I', t), '42501', NULL, t || ': service_role may not DELETE')
  FROM data_tables ORDER BY t;
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
