-- 03_roles.sql — anon may call nothing; an authenticated caller (claims
-- as PostgREST sets them) sees and changes only its organization's rows.
BEGIN;
SELECT * FROM no_plan();

SELECT create_campaign_with_coverage_tx(p_campaign_data => '{"name": "Org A", "organization_id": "aaaaaaaa-0000-4000-8000-000000000001"}') ->> 'campaign_id' AS a \gset
SELECT create_campaign_with_coverage_tx(p_campaign_data => '{"name": "Org B", "organization_id": "bbbbbbbb-0000-4000-8000-000000000002"}') ->> 'campaign_id' AS b \gset

SET LOCAL ROLE anon;
SELECT throws_ok($$SELECT get_campaign('00000000-0000-4000-8000-000000000000')$$, '42501', NULL,
                 'anon may not execute the functions');
RESET ROLE;

SET LOCAL ROLE authenticated;
SELECT ok(set_config('request.jwt.claims', '{"role": "authenticated", "organization_id": "aaaaaaaa-0000-4000-8000-000000000001"}', true) IS NOT NULL,
          'the claims are set as PostgREST sets them');
SELECT is(get_campaign(:'a') -> 'campaign' ->> 'name', 'Org A', 'authenticated sees its own campaign');
SELECT is(get_campaign(:'b') ->> 'error_code', 'P0002', 'another organization''s campaign is not found');
SELECT is(track_api_cost_tx(:'b', 'google_maps', '{"cost_usd": 5}') ->> 'error_code', 'P0002', 'nor can it be charged');
SELECT is(list_campaigns() ->> 'total', '1', 'its list holds its own campaigns only');
SELECT is(create_campaign_with_coverage_tx(p_campaign_data => '{"name": "Mine"}') ->> 'success', 'true', 'it may create');
SELECT is(create_campaign_with_coverage_tx(p_campaign_data => '{"name": "Theirs", "organization_id": "bbbbbbbb-0000-4000-8000-000000000002"}') ->> 'error_code',
          '22023', 'but not for another organization');
SELECT throws_ok($$SELECT ls_run('get_campaign', '{}')$$, '42501', NULL, 'the internal dispatcher is out of reach');
-- claims that are there but malformed are refused, never read as service_role
SELECT set_config('request.jwt.claims', '{"role": "authenticated", "organization_id": ', true);
SELECT is(get_campaign(:'b') ->> 'error_code', '42501', 'claims that are not JSON are refused');
SELECT set_config('request.jwt.claims', '"service_role"', true);
SELECT is(get_campaign(:'b') ->> 'error_code', '42501', 'claims that are not an object are refused');
SELECT set_config('request.jwt.claims', 'null', true);
SELECT is(get_campaign(:'b') ->> 'error_code', '42501', 'JSON null claims are refused');
SELECT set_config('request.jwt.claims', '{"organization_id": "bbbbbbbb-0000-4000-8000-000000000002"}', true);
SELECT is(get_campaign(:'b') ->> 'error_code', '42501', 'claims without a role are refused');
SELECT set_config('request.jwt.claims', '{"role": "admin"}', true);
SELECT is(get_campaign(:'b') ->> 'error_code', '42501', 'an unknown role is refused');
RESET ROLE;
SELECT ok(set_config('request.jwt.claims', '', true) = '', 'back to no claims (the owner)');
SELECT is((SELECT actual_cost FROM gmaps_campaigns WHERE id = :'b'), 0::numeric, 'the other organization''s campaign is untouched');

SELECT * FROM finish();
ROLLBACK;
