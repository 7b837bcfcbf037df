-- 08_adversarial.sql — a hostile client of the database: claims cannot
-- out-rank the session (ls_caller_org, 0002_support).  An authenticated
-- session that claims service_role — or claims nothing — is refused by every
-- operation and by the read policies, through SET ROLE (as PostgREST
-- impersonates) and through a login role of its own; anon is refused by every
-- operation function the catalog has (listed from ls_operations, so a new
-- operation is covered without editing this file), even where EXECUTE were
-- granted to it by mistake; the tables are refused to anon and show
-- authenticated only its organization's rows; no internal function is
-- executable by a client role but ls_caller_org; a temporary table cannot
-- shadow a table the functions read.  And the sessions that may act as
-- service_role still do: service_role itself, a login role holding it, the
-- owner with no claims or acting for an organization (as the C engine does).
BEGIN;
SELECT * FROM no_plan();

/*--- The data: a campaign of organizations A and B and one of no organization ---------------*/

SELECT create_campaign_with_coverage_tx(p_campaign_data => '{"name": "A", "organization_id": "aaaaaaaa-0000-4000-8000-0000000000a1"}',
                                        p_coverage_data => '[{"zip": "10001"}]') ->> 'campaign_id' AS a \gset
SELECT create_campaign_with_coverage_tx(p_campaign_data => '{"name": "B", "organization_id": "bbbbbbbb-0000-4000-8000-0000000000b2"}',
                                        p_coverage_data => '[{"zip": "20002"}]') ->> 'campaign_id' AS b \gset
SELECT create_campaign_with_coverage_tx(p_campaign_data => '{"name": "S"}') ->> 'campaign_id' AS s \gset
SELECT track_api_cost_tx(:'b', 'google_maps', '{"cost_usd": 1}') ->> 'success' AS charged \gset

-- every row of every table of public, counted by the owner: "nothing written" is this, unchanged
CREATE FUNCTION pg_temp.census() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  t text;
  n bigint;
  out text := '';
BEGIN
  FOR t IN SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
              AND (c.relname LIKE 'gmaps\_%' OR c.relname IN ('ls_operations', 'leadstore_migrations')) ORDER BY 1 LOOP
    EXECUTE format('SELECT count(*) FROM %I', t) INTO n;
    out := out || t || '=' || n || ' ';
  END LOOP;
  RETURN out || (SELECT string_agg(id || ':' || status || ':' || actual_cost, ' ' ORDER BY id) FROM gmaps_campaigns);
END
$$;
SELECT pg_temp.census() AS census \gset

-- The calls of every operation function of the catalog (an operation of
-- ls_operations, returning jsonb), with no arguments: every parameter has a
-- default, and the caller is decided before the parameters are looked at.
CREATE TEMP TABLE op_calls AS
  SELECT p.proname::text AS op, format('SELECT public.%I()', p.proname) AS call
    FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace AND p.prorettype = 'jsonb'::regtype
     AND p.proname IN (SELECT name FROM ls_operations);
GRANT SELECT ON op_calls TO PUBLIC;
SELECT is((SELECT count(*)::int FROM op_calls), (SELECT count(*)::int FROM ls_operations),
          'one operation function per operation of ls_operations');
SELECT cmp_ok((SELECT count(*)::int FROM op_calls), '>=', 18, 'every operation of SPEC §7 is listed');

-- What a call answers: its error_code, 'success', or the SQLSTATE it raised.
CREATE FUNCTION pg_temp.answer(p_call text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  r jsonb;
BEGIN
  EXECUTE p_call INTO r;
  RETURN CASE WHEN (r ->> 'success')::boolean THEN 'success' ELSE r ->> 'error_code' END;
EXCEPTION WHEN OTHERS THEN
  RETURN 'raised ' || SQLSTATE;
END
$$;

-- the operations (one line per answer) that answered something else than `expected`
CREATE FUNCTION pg_temp.answers_other_than(p_expected text) RETURNS SETOF text LANGUAGE sql AS $$
  SELECT op || ': ' || pg_temp.answer(call) FROM op_calls WHERE pg_temp.answer(call) <> p_expected ORDER BY op
$$;

/*--- Forged claims in an authenticated session (SET ROLE, as PostgREST impersonates) ---------*/

SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"role": "service_role"}', true);
SELECT is_empty('SELECT pg_temp.answers_other_than(''42501'')',
                'authenticated claiming service_role: every operation answers 42501');
SELECT is(get_campaign(:'b') ->> 'error_code', '42501', 'it cannot read another organization''s campaign');
SELECT is(list_campaigns() ->> 'error_code', '42501', 'nor list every organization''s campaigns');
SELECT is(track_api_cost_tx(:'b', 'google_maps', '{"cost_usd": 1000}') ->> 'error_code', '42501', 'nor charge one');
SELECT is(update_campaign_status_tx(:'b', 'running') ->> 'error_code', '42501', 'nor change its status');
SELECT is(create_campaign_with_coverage_tx(p_campaign_data => '{"name": "forged", "organization_id": "bbbbbbbb-0000-4000-8000-0000000000b2"}') ->> 'error_code',
          '42501', 'nor create a campaign for another organization');
SELECT throws_ok('SELECT * FROM gmaps_campaigns', '42501', NULL, 'nor read the tables: the policies refuse it');
SELECT set_config('request.jwt.claims', '{"role": "service_role", "organization_id": "aaaaaaaa-0000-4000-8000-0000000000a1"}', true);
SELECT is(list_campaigns() ->> 'error_code', '42501', 'claims of service_role naming its own organization are refused too');
SELECT set_config('request.jwt.claims', '', true);
SELECT is_empty('SELECT pg_temp.answers_other_than(''42501'')',
                'authenticated without claims: every operation answers 42501 (never read as service_role)');
SELECT throws_ok('SELECT * FROM gmaps_campaign_coverage', '42501', NULL, 'and the tables refuse it');
SELECT set_config('request.jwt.claims', '{"role": "anon"}', true);
SELECT is_empty('SELECT pg_temp.answers_other_than(''42501'')', 'authenticated claiming anon: every operation answers 42501');
-- what PostgREST does per request: the role and the claims as transaction settings
SELECT set_config('role', 'authenticated', true);
SELECT set_config('request.jwt.claims', '{"role": "service_role"}', true);
SELECT is(list_campaigns() ->> 'error_code', '42501', 'set_config(''role'', …), as PostgREST sets it: refused the same');
SELECT set_config('request.jwt.claims', '{"role": "authenticated", "organization_id": "aaaaaaaa-0000-4000-8000-0000000000a1"}', true);
SELECT is(list_campaigns() -> 'campaigns' -> 0 ->> 'name', 'A', 'and with the claims of its organization it is served');
SELECT is(list_campaigns() ->> 'total', '1', 'its organization only');
-- The organization claim is trusted, as Supabase's auth.uid() trusts the
-- claims: under PostgREST only a signed JWT sets it.  A session that sets
-- it itself acts as that organization — and only as that one.
SELECT set_config('request.jwt.claims', '{"role": "authenticated", "organization_id": "bbbbbbbb-0000-4000-8000-0000000000b2"}', true);
SELECT is(list_campaigns() -> 'campaigns' -> 0 ->> 'name', 'B', 'claiming organization B acts as B (the claim is trusted)');
SELECT is(get_campaign(:'a') ->> 'error_code', 'P0002', 'and not as A');
SELECT is(get_campaign(:'s') ->> 'error_code', 'P0002', 'nor sees a campaign of no organization');
RESET ROLE;
SELECT set_config('request.jwt.claims', '', true);
SELECT is(pg_temp.census(), :'census', 'nothing was written by the refused calls (every table counted, every campaign unchanged)');

/*--- The same from a login role of its own (session_user, no SET ROLE) ----------------------------*/

CREATE ROLE lstest_adv_member LOGIN;
GRANT authenticated TO lstest_adv_member;
CREATE ROLE lstest_adv_service LOGIN;
GRANT service_role TO lstest_adv_service;

SET LOCAL SESSION AUTHORIZATION lstest_adv_member;
SELECT set_config('request.jwt.claims', '{"role": "service_role"}', true);
SELECT is_empty('SELECT pg_temp.answers_other_than(''42501'')',
                'a login role holding authenticated, claiming service_role: every operation answers 42501');
SELECT throws_ok('SET LOCAL ROLE service_role', '42501', NULL, 'and it cannot become service_role');
SELECT set_config('request.jwt.claims', '{"role": "authenticated", "organization_id": "aaaaaaaa-0000-4000-8000-0000000000a1"}', true);
SELECT is(list_campaigns() ->> 'total', '1', 'with its organization''s claims it is served, its organization only');
RESET SESSION AUTHORIZATION;

SET LOCAL SESSION AUTHORIZATION lstest_adv_service;
SELECT set_config('request.jwt.claims', '{"role": "service_role"}', true);
SELECT is(list_campaigns() ->> 'total', '3', 'a login role holding service_role may act as service_role');
RESET SESSION AUTHORIZATION;

/*--- Sessions that may act as service_role still do ---------------------------------------------*/

SELECT set_config('request.jwt.claims', '', true);
SELECT is(list_campaigns() ->> 'total', '3', 'the owner without claims acts as service_role');
SELECT set_config('request.jwt.claims', '{"role": "service_role"}', true);
SELECT is(list_campaigns() ->> 'total', '3', 'the owner claiming service_role acts as service_role (the C engine)');
SELECT set_config('request.jwt.claims', '{"role": "authenticated", "organization_id": "aaaaaaaa-0000-4000-8000-0000000000a1"}', true);
SELECT is(list_campaigns() ->> 'total', '1', 'the owner acting for organization A is confined to A (the C engine for a member)');
SELECT set_config('request.jwt.claims', '{"role": "anon"}', true);
SELECT is(list_campaigns() ->> 'error_code', '42501', 'the owner claiming anon is refused');
SET LOCAL ROLE service_role;
SELECT set_config('request.jwt.claims', '{"role": "service_role"}', true);
SELECT is(list_campaigns() ->> 'total', '3', 'service_role (the service key through PostgREST) sees every organization');
SELECT is((SELECT count(*)::int FROM gmaps_campaigns), 3, 'and reads every row');
RESET ROLE;

/*--- anon through every operation function ----------------------------------------------------------*/

SET LOCAL ROLE anon;
SELECT set_config('request.jwt.claims', '{"role": "anon"}', true);
SELECT is_empty('SELECT pg_temp.answers_other_than(''raised 42501'')',
                'anon: every operation function refuses to run (no EXECUTE)');
SELECT set_config('request.jwt.claims', '{"role": "service_role"}', true);
SELECT is_empty('SELECT pg_temp.answers_other_than(''raised 42501'')', 'anon claiming service_role: the same');
SELECT throws_ok('SELECT is_valid_status_transition(''draft'', ''running'')', '42501', NULL,
                 'anon may not execute the plain boolean is_valid_status_transition either');
RESET ROLE;

-- Even if EXECUTE were granted to anon by mistake, the functions refuse it.
CREATE FUNCTION pg_temp.grant_to_anon(p_grant boolean) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  f regprocedure;
BEGIN
  FOR f IN SELECT p.oid::regprocedure FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
              AND p.proname IN (SELECT name FROM ls_operations) LOOP
    EXECUTE format(CASE WHEN p_grant THEN 'GRANT EXECUTE ON FUNCTION %s TO anon' ELSE 'REVOKE EXECUTE ON FUNCTION %s FROM anon' END, f);
  END LOOP;
END
$$;
SELECT pg_temp.grant_to_anon(true);
SET LOCAL ROLE anon;
SELECT set_config('request.jwt.claims', '{"role": "service_role"}', true);
SELECT is_empty('SELECT pg_temp.answers_other_than(''42501'')',
                'anon holding EXECUTE by mistake, claiming service_role: every operation answers 42501');
SELECT set_config('request.jwt.claims', '{"role": "authenticated", "organization_id": "aaaaaaaa-0000-4000-8000-0000000000a1"}', true);
SELECT is_empty('SELECT pg_temp.answers_other_than(''42501'')',
                'anon holding EXECUTE by mistake, claiming an organization: every operation answers 42501');
SELECT set_config('request.jwt.claims', '', true);
SELECT is_empty('SELECT pg_temp.answers_other_than(''42501'')',
                'anon holding EXECUTE by mistake, without claims: every operation answers 42501');
RESET ROLE;
SELECT pg_temp.grant_to_anon(false);
SELECT set_config('request.jwt.claims', '', true);
SELECT is(pg_temp.census(), :'census', 'nothing was written by anon');

/*--- The tables, directly -----------------------------------------------------------------------------*/

CREATE TEMP TABLE public_tables AS
  SELECT c.relname::text AS t FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
     AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e');
GRANT SELECT ON public_tables TO PUBLIC;
SELECT cmp_ok((SELECT count(*)::int FROM public_tables), '>=', 11, 'the tables of public: the nine of the model and two internal');

SET LOCAL ROLE anon;
SELECT throws_ok(format('SELECT * FROM %I', t), '42501', NULL, t || ': anon may not read it') FROM public_tables ORDER BY t;
SELECT throws_ok(format('DELETE FROM %I', t), '42501', NULL, t || ': anon may not delete from it') FROM public_tables ORDER BY t;
RESET ROLE;

SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"role": "authenticated", "organization_id": "aaaaaaaa-0000-4000-8000-0000000000a1"}', true);
SELECT is(ARRAY(SELECT name FROM gmaps_campaigns), ARRAY['A'], 'authenticated reads its organization''s campaign only');
SELECT is(ARRAY(SELECT zip_code FROM gmaps_campaign_coverage), ARRAY['10001'], 'and its coverage only');
SELECT is((SELECT count(*)::int FROM gmaps_api_costs), 0, 'and none of another organization''s costs');
SELECT throws_ok('SELECT * FROM ls_operations', '42501', NULL, 'the internal table ls_operations is out of reach');
SELECT throws_ok('SELECT * FROM leadstore_migrations', '42501', NULL, 'and leadstore_migrations');
SELECT throws_ok(format('INSERT INTO %I DEFAULT VALUES', t), '42501', NULL, t || ': authenticated may not insert into it')
  FROM public_tables ORDER BY t;
SELECT throws_ok(format('DELETE FROM %I', t), '42501', NULL, t || ': authenticated may not delete from it')
  FROM public_tables ORDER BY t;
SELECT throws_ok(format('UPDATE gmaps_campaigns SET actual_cost = 0 WHERE id = %L', :'b'), '42501', NULL,
                 'nor zero another organization''s costs');
SELECT ok(NOT has_schema_privilege('authenticated', 'public', 'CREATE'), 'authenticated may not create objects in public');
-- a temporary table named like a table of the model does not shadow it
-- inside the functions: their search_path is public first, pg_temp last
CREATE TEMP TABLE gmaps_campaigns (id uuid, name text, organization_id uuid, status text);
INSERT INTO pg_temp.gmaps_campaigns (id, name, organization_id, status)
  VALUES (:'b', 'shadow', 'aaaaaaaa-0000-4000-8000-0000000000a1', 'draft');
SELECT is(get_campaign(:'b') ->> 'error_code', 'P0002', 'a temporary gmaps_campaigns does not shadow the real one');
SELECT is(get_campaign(:'a') -> 'campaign' ->> 'name', 'A', 'the functions read the real table');
DROP TABLE pg_temp.gmaps_campaigns;
RESET ROLE;

/*--- Internal functions ---------------------------------------------------------------------------------*/

SELECT is_empty($$
  SELECT r || ' may execute ' || p.oid::regprocedure::text
    FROM pg_proc p, unnest(ARRAY['anon', 'authenticated', 'service_role', 'public']) r
   WHERE p.pronamespace = 'public'::regnamespace
     AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
     AND p.proname NOT IN (SELECT name FROM ls_operations)
     AND has_function_privilege(r, p.oid, 'EXECUTE')
     AND NOT (r = 'authenticated' AND p.oid = 'ls_caller_org()'::regprocedure)
     -- the upstream names of 0011, SECURITY INVOKER wrappers of an operation
     AND NOT (r IN ('authenticated', 'service_role') AND NOT p.prosecdef
              AND substr(obj_description(p.oid, 'pg_proc'), 20) IN (SELECT name FROM ls_operations)
              AND obj_description(p.oid, 'pg_proc') LIKE 'leadstore alias of %')
$$, 'no function of public but the operations and their aliases is executable by a client role (ls_caller_org by authenticated only; anon nothing)');
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"role": "authenticated", "organization_id": "aaaaaaaa-0000-4000-8000-0000000000a1"}', true);
SELECT throws_ok('SELECT ls_run(''list_campaigns'', ''{}'')', '42501', NULL, 'authenticated may not call the dispatcher');
SELECT throws_ok('SELECT ls_dispatch(''list_campaigns'', ''{}'', NULL)', '42501', NULL, 'nor ls_dispatch with no organization');
SELECT throws_ok(format('SELECT ls_op_track_api_cost_tx(%L, NULL)', jsonb_build_object('p_campaign_id', :'b', 'p_service', 'bouncer',
                        'p_cost_data', '{"cost_usd": 1}'::jsonb)), '42501', NULL, 'nor an operation''s body');
SELECT throws_ok('SELECT ls_campaign(gen_random_uuid(), NULL, true)', '42501', NULL, 'nor a row-locking helper');
SELECT is(ls_caller_org(), 'aaaaaaaa-0000-4000-8000-0000000000a1'::uuid, 'ls_caller_org answers its own organization');
RESET ROLE;
SET LOCAL ROLE anon;
SELECT throws_ok('SELECT ls_caller_org()', '42501', NULL, 'anon may not execute ls_caller_org');
RESET ROLE;
SELECT set_config('request.jwt.claims', '', true);
SELECT is(pg_temp.census(), :'census', 'nothing was written by any of it');

SELECT * FROM finish();
ROLLBACK;
