-- 02_operations.sql — every operation succeeds on valid input, returns each
-- of its error codes as the failure object, and leaves nothing behind when
-- it fails.  Called as the database owner (no claims: service_role).
BEGIN;
SELECT * FROM no_plan();

-- a campaign, running, with two ZIPs
SELECT create_campaign_with_coverage_tx(p_campaign_data => '{"name": "pgTAP campaign", "keywords": ["cafe"]}',
                                        p_coverage_data => '[{"zip": "90001"}, {"zip_code": "90002"}]') AS r \gset
SELECT is((:'r'::jsonb) ->> 'success', 'true', 'create succeeds');
SELECT is(((:'r'::jsonb) ->> 'coverage_count')::int, 2, 'with two coverage rows');
SELECT (:'r'::jsonb) ->> 'campaign_id' AS cid \gset
SELECT is((SELECT count(*)::int FROM gmaps_campaign_coverage WHERE campaign_id = :'cid'), 2, 'two rows stored');

-- error codes of create, and nothing left behind
SELECT count(*) AS before_campaigns FROM gmaps_campaigns \gset
SELECT is(create_campaign_with_coverage_tx(p_campaign_data => '{}') ->> 'error_code', '22023', 'create: missing name is 22023');
SELECT is(create_campaign_with_coverage_tx(p_campaign_data => '{"name": "x", "organization_id": "nope"}') ->> 'error_code',
          '22P02', 'create: malformed UUID is 22P02');
SELECT is(create_campaign_with_coverage_tx(p_campaign_data => '{"name": "dup"}',
                                           p_coverage_data => '[{"zip": "1"}, {"zip": "1"}]') ->> 'error_code',
          '23505', 'create: a repeated ZIP is 23505');
SELECT is((SELECT count(*) FROM gmaps_campaigns), :'before_campaigns'::bigint, 'create: failures left no campaign behind');
SELECT is((SELECT count(*)::int FROM gmaps_campaign_coverage WHERE zip_code = '1'), 0, 'create: nor coverage');
SELECT ok(create_campaign_with_coverage_tx(p_campaign_data => '{"name": []}') ? 'retry_recommended',
          'the failure object carries retry_recommended');

-- status
SELECT is(update_campaign_status_tx(:'cid', 'running') ->> 'new_status', 'running', 'status: draft -> running');
SELECT isnt(get_campaign(:'cid') -> 'campaign' ->> 'started_at', NULL, 'status: started_at set');
SELECT is(update_campaign_status_tx(:'cid', 'draft') ->> 'error_code', 'P0001', 'status: running -> draft is P0001');
SELECT is(update_campaign_status_tx(:'cid', 'draft') ->> 'error', 'Invalid status transition: running -> draft',
          'status: with the contract''s message');
SELECT is(update_campaign_status_tx('00000000-0000-4000-8000-000000000000', 'running') ->> 'error_code', 'P0002',
          'status: unknown campaign is P0002');
SELECT is(update_campaign_status_tx(:'cid', 'archived') ->> 'error_code', '22023', 'status: unknown status is 22023');
SELECT is((SELECT count(*)::int FROM gmaps_campaign_status_history WHERE campaign_id = :'cid'), 2,
          'status: refused changes wrote no history');
SELECT is(is_valid_status_transition(p_current => '"paused"', p_new => '"running"') ->> 'valid', 'true',
          'is_valid_status_transition (RPC) answers {valid}');

-- coverage
SELECT is(update_coverage_status_tx(:'cid', '90001', '{"businesses_found": 150, "emails_found": 75, "actual_cost": 1.5}') ->> 'success',
          'true', 'coverage: a ZIP is marked scraped');
SELECT is((SELECT actual_cost FROM gmaps_campaign_coverage WHERE campaign_id = :'cid' AND zip_code = '90001'), 1.5::numeric,
          'coverage: its cost stored exactly');
SELECT is(update_coverage_status_tx(:'cid', '99999', '{}') ->> 'error_code', 'P0002', 'coverage: unknown ZIP is P0002');
SELECT is(update_coverage_status_tx(:'cid', '90002', '{"businesses_found": -1}') ->> 'error_code', '22023',
          'coverage: a negative count is 22023');

-- costs: exact accumulation, idempotent replay
SELECT is(track_api_cost_tx(:'cid', 'google_maps', '{"cost_usd": 0.1}') ->> 'success', 'true', 'cost: 0.1 tracked');
SELECT is((track_api_cost_tx(:'cid', 'google_maps', '{"cost_usd": 0.2}', 'req-1') ->> 'actual_cost')::numeric, 0.3,
          'cost: 0.1 + 0.2 is exactly 0.3');
SELECT is(track_api_cost_tx(:'cid', 'google_maps', '{"cost_usd": 0.2}', 'req-1') ->> 'replayed', 'true',
          'cost: a repeated request id replays');
SELECT is((SELECT actual_cost FROM gmaps_campaigns WHERE id = :'cid'), 0.3::numeric, 'cost: and charges nothing twice');
SELECT is(track_api_cost_tx(:'cid', 'google_maps', '{"cost_usd": 0.5}', 'req-1') ->> 'error_code', '22023',
          'cost: the same id with other parameters is 22023');
SELECT is(track_api_cost_tx(:'cid', 'telegraph', '{"cost_usd": 1}') ->> 'error_code', '22023', 'cost: unknown service is 22023');
SELECT is(track_api_cost_tx(:'cid', 'bouncer', '{"cost_usd": -1}') ->> 'error_code', '22023', 'cost: a negative cost is 22023');
SELECT is((SELECT count(*)::int FROM gmaps_api_costs WHERE campaign_id = :'cid'), 2, 'cost: refused calls left no row');

-- businesses, enrichment, verification
SELECT batch_upsert_businesses_tx(:'cid', '90001', '[{"place_id": "p1", "name": "Acme", "email": "info@acme.example",
   "facebook_url": "https://facebook.com/acme"}, {"place_id": "p2", "name": "Best"}, {"place_id": "p1", "name": "Acme Inc"}]') AS b \gset
SELECT is(((:'b'::jsonb) ->> 'inserted')::int, 2, 'batch: two places inserted');
SELECT is(((:'b'::jsonb) ->> 'updated')::int, 1, 'batch: the repeat is an update');
SELECT (:'b'::jsonb) -> 'results' -> 0 ->> 'business_id' AS bid \gset
SELECT is(batch_upsert_businesses_tx(:'cid', '90001', '[{"place_id": "p3"}]') ->> 'error_code', '22023',
          'batch: an element without a name is 22023');
SELECT is((SELECT count(*)::int FROM gmaps_businesses WHERE campaign_id = :'cid'), 2, 'batch: the refused batch wrote nothing');
SELECT save_facebook_enrichment_tx(:'bid', :'cid', '{"success": true, "primary_email": "fb@acme.example"}') AS f \gset
SELECT is((:'f'::jsonb) ->> 'email_source', 'facebook', 'facebook: the page email wins over the scraped one');
SELECT (:'f'::jsonb) ->> 'enrichment_id' AS fid \gset
SELECT is(save_linkedin_enrichment_tx(:'bid', NULL, '{"linkedin_url": "https://linkedin.com/in/ceo", "primary_email": "ceo@acme.example"}') ->> 'email_source',
          'linkedin', 'linkedin: the profile email wins over the page');
SELECT is(save_facebook_enrichment_tx(:'bid', NULL, '{"success": true, "primary_email": "late@acme.example"}') ->> 'email_source',
          'linkedin', 'facebook after linkedin: the LinkedIn email stays');
SELECT is(save_facebook_enrichment_tx('00000000-0000-4000-8000-000000000000', NULL, '{}') ->> 'error_code', 'P0002',
          'facebook: unknown business is P0002');
SELECT is(update_email_verification_tx('facebook', :'fid', '{"email": "fb@acme.example", "status": "deliverable", "score": 90}') ->> 'success',
          'true', 'verification of a Facebook enrichment');
SELECT is((SELECT count(*)::int FROM gmaps_email_verifications WHERE facebook_enrichment_id = :'fid'), 1, 'verification: one audit row');
SELECT is(update_email_verification_tx('google_maps', :'bid', '{"email": "ceo@acme.example"}') ->> 'error_code', '22023',
          'verification: a missing status is 22023');
SELECT is(get_businesses_for_enrichment(:'cid', 'linkedin') ->> 'total', '1', 'queue: one business still to look up on LinkedIn');

-- statistics and reads
SELECT is(update_campaign_statistics_tx(:'cid') ->> 'drift_corrected', 'false', 'statistics: no drift to correct');
SELECT is(get_campaign(:'cid') -> 'campaign' ->> 'total_businesses_found', '2', 'get_campaign: the counters');
SELECT is(list_campaigns(p_status => 'running') ->> 'total', '1', 'list_campaigns: by status');
SELECT is(get_campaign('nope') ->> 'error_code', '22P02', 'get_campaign: malformed id is 22P02');
SELECT is_empty('SELECT * FROM ls_check()', 'every invariant holds');

-- the counters get_campaign reads (0009) are proven by ls_check and repaired by the statistics
UPDATE gmaps_campaigns SET total_safe_emails = total_safe_emails + 4, zip_emails_found = zip_emails_found + 11
 WHERE id = :'cid';
SELECT set_eq($$SELECT split_part(detail, ' ', 1) FROM ls_check() WHERE invariant = 2$$,
              ARRAY['total_safe_emails', 'zip_emails_found'],
              'check: a drifted lead or coverage counter is invariant 2');
SELECT is(update_campaign_statistics_tx(:'cid') ->> 'drift_corrected', 'true', 'statistics: the drift corrected');
SELECT is_empty('SELECT * FROM ls_check()', 'every invariant holds again');
SELECT is(get_campaign(:'cid') -> 'leads' ->> 'safe', '0', 'get_campaign: the leads from the counters');

-- the queue totals (0010) likewise; the queue read answers the counter
UPDATE gmaps_campaigns SET linkedin_queue = linkedin_queue + 3, verification_queue = verification_queue - 1
 WHERE id = :'cid';
SELECT set_eq($$SELECT split_part(detail, ' ', 1) FROM ls_check() WHERE invariant = 2$$,
              ARRAY['linkedin_queue', 'verification_queue'],
              'check: a drifted queue counter is invariant 2');
SELECT is(get_businesses_for_enrichment(:'cid', 'linkedin') ->> 'total', '4', 'queue: its total is the counter');
SELECT is(update_campaign_statistics_tx(:'cid') ->> 'drift_corrected', 'true', 'statistics: the queue drift corrected');
SELECT is_empty('SELECT * FROM ls_check()', 'every invariant holds after the queue recount');
SELECT is(get_businesses_for_enrichment(:'cid', 'linkedin') ->> 'total', '1', 'queue: the recounted total');

SELECT * FROM finish();
ROLLBACK;
