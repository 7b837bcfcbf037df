-- 06_reads.sql — the lead reads (list_businesses, get_business, list_coverage,
-- list_costs, get_status_history) called as a Supabase client calls them:
-- results, keyset pages, the search, exact sums, the caller's organization,
-- EXECUTE for authenticated and service_role only, and nothing written.
BEGIN;
SELECT * FROM no_plan();

-- one transaction has one now(): the injected clock (leadstore.now) dates each call a second later

SELECT set_config('leadstore.now', '2026-01-01T00:00:01Z', true) IS NOT NULL AS clock \gset
SELECT create_campaign_with_coverage_tx(
         p_campaign_data => '{"name": "Reads", "organization_id": "aaaaaaaa-0000-4000-8000-000000000001"}',
         p_coverage_data => '[{"zip": "b1"}, {"zip": "A2"}, {"zip": "10"}]') ->> 'campaign_id' AS cid \gset
SELECT set_config('leadstore.now', '2026-01-01T00:00:02Z', true) IS NOT NULL AS clock \gset
SELECT create_campaign_with_coverage_tx(
         p_campaign_data => '{"name": "Other", "organization_id": "bbbbbbbb-0000-4000-8000-000000000002"}') ->> 'campaign_id' AS other \gset
SELECT set_config('leadstore.now', '2026-01-01T00:00:03Z', true) IS NOT NULL AS clock \gset
SELECT batch_upsert_businesses_tx(:'cid', 'b1', '[{"place_id": "1", "name": "Joe''s 100% Pizza", "email": "JOE@pizza.com"}]')
         -> 'results' -> 0 ->> 'business_id' AS b1 \gset
SELECT set_config('leadstore.now', '2026-01-01T00:00:04Z', true) IS NOT NULL AS clock \gset
SELECT batch_upsert_businesses_tx(:'cid', 'A2', '[{"place_id": "2", "name": "Bar_None", "facebook_url": "https://facebook.com/bar"}]')
         -> 'results' -> 0 ->> 'business_id' AS b2 \gset
SELECT set_config('leadstore.now', '2026-01-01T00:00:05Z', true) IS NOT NULL AS clock \gset
SELECT batch_upsert_businesses_tx(:'cid', 'A2', '[{"place_id": "3", "name": "Café Ünique", "phone": "555-0100"}]')
         -> 'results' -> 0 ->> 'business_id' AS b3 \gset
SELECT set_config('leadstore.now', '2026-01-01T00:00:06Z', true) IS NOT NULL AS clock \gset
SELECT track_api_cost_tx(:'cid', 'facebook', '{"cost_usd": 0.1}') ->> 'cost_id' AS k1 \gset
SELECT set_config('leadstore.now', '2026-01-01T00:00:07Z', true) IS NOT NULL AS clock \gset
SELECT track_api_cost_tx(:'cid', 'facebook', '{"cost_usd": 0.7}') ->> 'cost_id' AS k2 \gset
SELECT set_config('leadstore.now', '2026-01-01T00:00:08Z', true) IS NOT NULL AS clock \gset
SELECT track_api_cost_tx(:'cid', 'bouncer', '{"cost_usd": 2}') ->> 'cost_id' AS k3 \gset
SELECT set_config('leadstore.now', '2026-01-01T00:00:09Z', true) IS NOT NULL AS clock \gset
SELECT update_campaign_status_tx(:'cid', 'running', '{"by": "pgtap"}') ->> 'success';
SELECT set_config('leadstore.now', '2026-01-01T00:00:10Z', true) IS NOT NULL AS clock \gset
SELECT save_facebook_enrichment_tx(:'b2', NULL, '{"success": true, "primary_email": "bar@none.com"}') ->> 'enrichment_id' AS fb \gset
SELECT set_config('leadstore.now', '2026-01-01T00:00:11Z', true) IS NOT NULL AS clock \gset
SELECT update_email_verification_tx('facebook', :'fb', '{"email": "bar@none.com", "status": "deliverable", "score": 90}')
         ->> 'verification_id' AS v1 \gset

-- list_businesses
SELECT is(list_businesses(:'cid') ->> 'total', '3', 'list_businesses: every business of the campaign');
SELECT is((SELECT array_agg(x ->> 'name') FROM jsonb_array_elements(list_businesses(:'cid') -> 'businesses') x),
          ARRAY['Joe''s 100% Pizza', 'Bar_None', 'Café Ünique'], 'oldest first');
SELECT is(list_businesses(:'cid') -> 'next_after', 'null'::jsonb, 'one page: next_after is null');
SELECT is(list_businesses(:'cid', p_limit => 2) ->> 'next_after', :'b2', 'a full page: next_after is its last row');
SELECT is(list_businesses(:'cid', p_limit => 2, p_after => :'b2') -> 'businesses' -> 0 ->> 'id', :'b3',
          'the next page starts after it');
SELECT is(list_businesses(:'cid', p_limit => 2, p_after => :'b2') -> 'next_after', 'null'::jsonb,
          'and is the last');
SELECT is(list_businesses(:'cid', p_limit => 3) -> 'next_after', 'null'::jsonb,
          'a full last page has next_after null');
SELECT is(list_businesses(:'cid', p_zip_code => 'A2') ->> 'total', '2', 'by ZIP');
SELECT is(list_businesses(:'cid', p_email_source => 'facebook') -> 'businesses' -> 0 ->> 'id', :'b2', 'by email source');
SELECT is(list_businesses(:'cid', p_verified => 'true') ->> 'total', '1', 'by verified (jsonb true)');
SELECT is(list_businesses(:'cid', p_safe => 'true') -> 'businesses' -> 0 ->> 'id', :'b2', 'by safe');
SELECT is(list_businesses(:'cid', p_safe => 'false') ->> 'total', '0', 'is_safe null matches neither true nor false');
SELECT is(list_businesses(:'cid', p_enrichment_status => 'enriched') ->> 'total', '1', 'by enrichment status');
SELECT is(list_businesses(:'cid', p_search => 'joe@PIZZA') -> 'businesses' -> 0 ->> 'id', :'b1', 'search: email, any ASCII case');
SELECT is(list_businesses(:'cid', p_search => '0% p') ->> 'total', '1', 'search: % is a plain character');
SELECT is(list_businesses(:'cid', p_search => 'r_n') ->> 'total', '1', 'search: _ is a plain character');
SELECT is(list_businesses(:'cid', p_search => 'r%n') ->> 'total', '0', 'search: no wildcards');
SELECT is(list_businesses(:'cid', p_search => '5-01') ->> 'total', '1', 'search: phone');
SELECT is(list_businesses(:'cid', p_search => 'CAFÉ') ->> 'total', '0', 'search: only ASCII letters fold (locale independent)');
SELECT is(list_businesses(:'cid', p_search => 'cafÉ') ->> 'total', '0', 'search: É and é differ');
SELECT is(list_businesses(:'cid', p_search => 'CAfé ü') ->> 'total', '0', 'search: ü is not Ü');
SELECT is(list_businesses(:'cid', p_search => '  CAfé Ü  ') ->> 'total', '1', 'search: trimmed, ASCII folded, other bytes exact');
SELECT is(list_businesses(:'cid', p_search => '   ') ->> 'total', '3', 'search: blank is no filter');
SELECT is(list_businesses(:'cid', p_after => :'k1') ->> 'error_code', '22023', 'p_after of another list is 22023');
SELECT is(list_businesses(:'cid', p_after => 'x') ->> 'error_code', '22P02', 'a malformed p_after is 22P02');
SELECT is(list_businesses(:'cid', p_verified => '"yes"') ->> 'error_code', '22023', 'p_verified must be a boolean');
SELECT is(list_businesses(:'cid', p_limit => 1001) ->> 'error_code', '22023', 'p_limit at most 1000');
SELECT is(ls_contains_ci('Hello World', 'O w'), true, 'ls_contains_ci folds ASCII letters');
SELECT is(ls_contains_ci(NULL, 'x'), false, 'ls_contains_ci: NULL text contains nothing');

-- get_business
SELECT is(get_business(:'b2') -> 'business' ->> 'email', 'bar@none.com', 'get_business: the business');
SELECT is(jsonb_array_length(get_business(:'b2') -> 'facebook_enrichments'), 1, 'with its Facebook enrichment');
SELECT is(get_business(:'b2') -> 'verifications' -> 0 ->> 'id', :'v1', 'and its verification');
SELECT is(get_business(:'b2') -> 'verifications' -> 0 -> 'score', '90'::jsonb, 'scores are numbers');
SELECT is(get_business(:'b2') -> 'linkedin_enrichments', '[]'::jsonb, 'no LinkedIn enrichment: an empty list');
SELECT ok(get_business(:'b2') -> 'facebook_enrichments' -> 0 ->> 'created_at' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$',
          'timestamps are ISO-8601 UTC with Z');
SELECT is(get_business('00000000-0000-4000-8000-000000000000') ->> 'error_code', 'P0002', 'an unknown business is P0002');

-- list_coverage, list_costs, get_status_history
SELECT is((SELECT array_agg(x ->> 'zip_code') FROM jsonb_array_elements(list_coverage(:'cid') -> 'coverage') x),
          ARRAY['10', 'A2', 'b1'], 'list_coverage: ZIPs in byte order, whatever the database collation');
SELECT is(list_coverage(:'cid', p_scraped => 'false') ->> 'total', '3', 'list_coverage: by scraped');
SELECT is(list_coverage(:'cid', p_limit => 2, p_after => list_coverage(:'cid', p_limit => 2) ->> 'next_after')
            -> 'coverage' -> 0 ->> 'zip_code', 'b1', 'list_coverage: the next page');
SELECT is(list_costs(:'cid') -> 'total_usd', '2.8'::jsonb, 'list_costs: the exact sum');
SELECT is(list_costs(:'cid', p_service => 'facebook') -> 'total_usd', '0.8'::jsonb, 'the sum of the matches only');
SELECT is(list_costs(:'cid', p_limit => 1) ->> 'next_after', :'k1', 'list_costs: pages');
SELECT is(list_costs(:'cid', p_limit => 1, p_after => :'k2') -> 'costs' -> 0 ->> 'id', :'k3', 'oldest first');
SELECT is(get_status_history(:'cid') -> 'history',
          jsonb_build_array(
            jsonb_build_object('old_status', NULL, 'new_status', 'draft', 'metadata', NULL,
                               'changed_at', get_status_history(:'cid') -> 'history' -> 0 -> 'changed_at'),
            jsonb_build_object('old_status', 'draft', 'new_status', 'running', 'metadata', '{"by": "pgtap"}'::jsonb,
                               'changed_at', get_status_history(:'cid') -> 'history' -> 1 -> 'changed_at')),
          'get_status_history: every change, oldest first, with its metadata');

-- the page statements read their indexes
SELECT has_index('public', 'gmaps_api_costs', 'idx_api_costs_page', ARRAY['campaign_id', 'incurred_at', 'id'],
                 'the cost page index');
SELECT has_index('public', 'gmaps_campaign_coverage', 'idx_coverage_page', 'the coverage page index (ZIPs COLLATE "C")');

-- the caller's organization
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"role": "authenticated", "organization_id": "aaaaaaaa-0000-4000-8000-000000000001"}', true);
SELECT is(list_businesses(:'cid') ->> 'total', '3', 'authenticated: its own campaign''s businesses');
SELECT is(get_business(:'b1') -> 'business' ->> 'id', :'b1', 'authenticated: its own business');
SELECT set_config('request.jwt.claims', '{"role": "authenticated", "organization_id": "bbbbbbbb-0000-4000-8000-000000000002"}', true);
SELECT is(list_businesses(:'cid') ->> 'error_code', 'P0002', 'another organization: list_businesses is P0002');
SELECT is(get_business(:'b1') ->> 'error_code', 'P0002', 'get_business is P0002');
SELECT is(list_coverage(:'cid') ->> 'error_code', 'P0002', 'list_coverage is P0002');
SELECT is(list_costs(:'cid') ->> 'error_code', 'P0002', 'list_costs is P0002');
SELECT is(get_status_history(:'cid') ->> 'error_code', 'P0002', 'get_status_history is P0002');
SELECT is(get_status_history(:'other') -> 'history' -> 0 ->> 'new_status', 'draft', 'its own campaign is readable');
SELECT throws_ok($$SELECT ls_op_list_businesses('{}', NULL)$$, '42501', NULL, 'the bodies are out of reach');
RESET ROLE;
SET LOCAL ROLE anon;
SELECT throws_ok(format('SELECT list_businesses(%L)', :'cid'), '42501', NULL, 'anon may not list businesses');
SELECT throws_ok(format('SELECT get_business(%L)', :'b1'), '42501', NULL, 'nor read one');
RESET ROLE;
SELECT set_config('request.jwt.claims', '', true);
SELECT set_config('leadstore.now', '', true);

SELECT ok(NOT has_function_privilege('anon', 'public.' || f, 'EXECUTE') AND NOT has_function_privilege('public', 'public.' || f, 'EXECUTE')
          AND has_function_privilege('authenticated', 'public.' || f, 'EXECUTE')
          AND has_function_privilege('service_role', 'public.' || f, 'EXECUTE'),
          f || ': EXECUTE for authenticated and service_role only')
  FROM unnest(ARRAY['list_businesses(text,text,text,jsonb,jsonb,text,text,integer,text)', 'get_business(text)',
                    'list_coverage(text,jsonb,integer,text)', 'list_costs(text,text,integer,text)',
                    'get_status_history(text)']) f;
SELECT is((SELECT count(*)::int FROM gmaps_rpc_requests), 0, 'the reads wrote nothing');

SELECT * FROM finish();
ROLLBACK;
