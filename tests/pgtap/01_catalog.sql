-- 01_catalog.sql — every operation exists with its signature, returns jsonb,
-- is SECURITY DEFINER with a pinned search_path, and is executable by
-- authenticated and service_role only; the internal functions by nobody.
BEGIN;
SELECT * FROM no_plan();

CREATE TEMP TABLE sig (name text, args text[]) ON COMMIT DROP;
INSERT INTO sig VALUES
  ('create_campaign_with_coverage_tx', '{jsonb,jsonb,text}'),
  ('update_campaign_status_tx', '{text,text,jsonb,text}'),
  ('is_valid_status_transition', '{jsonb,jsonb}'),
  ('update_coverage_status_tx', '{text,text,jsonb,text}'),
  ('batch_upsert_businesses_tx', '{text,text,jsonb,text}'),
  ('save_facebook_enrichment_tx', '{text,text,jsonb,text}'),
  ('save_linkedin_enrichment_tx', '{text,text,jsonb,text}'),
  ('update_email_verification_tx', '{text,text,jsonb,text}'),
  ('track_api_cost_tx', '{text,text,jsonb,text}'),
  ('update_campaign_statistics_tx', '{text,text}'),
  ('get_campaign', '{text}'),
  ('list_campaigns', '{text,integer,integer}'),
  ('get_businesses_for_enrichment', '{text,text,integer,integer}'),
  ('list_businesses', '{text,text,text,jsonb,jsonb,text,text,integer,text}'),
  ('get_business', '{text}'),
  ('list_coverage', '{text,jsonb,integer,text}'),
  ('list_costs', '{text,text,integer,text}'),
  ('get_status_history', '{text}'),
  ('restore_campaign_tx', '{jsonb,jsonb,jsonb,jsonb,jsonb,jsonb,jsonb,jsonb,text}');

SELECT is((SELECT count(*)::int FROM sig), (SELECT count(*)::int FROM ls_operations),
          'the signature list covers every operation of the table');
SELECT has_function('public', name, args, name || ' exists with its signature') FROM sig;
SELECT function_returns('public', name, args, 'jsonb', name || ' returns jsonb') FROM sig;
SELECT is_definer('public', name, args, name || ' is SECURITY DEFINER') FROM sig;
SELECT ok(NOT has_function_privilege('anon', format('public.%I(%s)', name, array_to_string(args, ',')), 'EXECUTE')
          AND NOT has_function_privilege('public', format('public.%I(%s)', name, array_to_string(args, ',')), 'EXECUTE')
          AND has_function_privilege('authenticated', format('public.%I(%s)', name, array_to_string(args, ',')), 'EXECUTE')
          AND has_function_privilege('service_role', format('public.%I(%s)', name, array_to_string(args, ',')), 'EXECUTE'),
          name || ': EXECUTE for authenticated and service_role, not for PUBLIC or anon') FROM sig;

SELECT has_function('public', 'is_valid_status_transition', ARRAY['text', 'text'],
                    'the plain boolean is_valid_status_transition(text, text) exists');
SELECT function_returns('public', 'is_valid_status_transition', ARRAY['text', 'text'], 'boolean',
                        'and returns boolean');
SELECT is(is_valid_status_transition('draft', 'running'), true, 'draft -> running is valid');
SELECT is(is_valid_status_transition('draft', 'completed'), false, 'draft -> completed is not');
SELECT is(is_valid_status_transition(NULL, 'running'), false, 'no current status is not');

SELECT is_empty($$
  SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
   WHERE n.nspname = 'public' AND p.prosecdef
     AND NOT coalesce(p.proconfig @> ARRAY['search_path=public, pg_temp'], false)
$$, 'every SECURITY DEFINER function pins search_path = public, pg_temp');

SELECT is_empty($$
  SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
   WHERE n.nspname = 'public' AND p.proname LIKE 'ls\_%'
     AND (has_function_privilege('authenticated', p.oid, 'EXECUTE') OR has_function_privilege('anon', p.oid, 'EXECUTE'))
     AND p.oid <> 'ls_caller_org()'::regprocedure
$$, 'no internal ls_* function is executable by clients but ls_caller_org');
SELECT ok(has_function_privilege('authenticated', 'ls_caller_org()', 'EXECUTE')
          AND NOT has_function_privilege('anon', 'ls_caller_org()', 'EXECUTE')
          AND NOT has_function_privilege('public', 'ls_caller_org()', 'EXECUTE'),
          'ls_caller_org, which the read policies evaluate as the reader, is executable by authenticated only');

SELECT * FROM finish();
ROLLBACK;
