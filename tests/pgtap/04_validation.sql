-- 04_validation.sql — the functions validate their parameters themselves (for
-- callers that reach them without the C library: PostgREST, psql), from the
-- same operations table as the library: for every operation, a missing
-- required parameter and an unknown one are 22023, a malformed UUID is 22P02,
-- and a refused call writes nothing; the decisions on hostile input (nesting,
-- exact closed sets, timestamps, UUID shapes) hold for direct callers too.
BEGIN;
SELECT * FROM no_plan();

SELECT count(*) AS rows_before FROM gmaps_campaigns \gset

SELECT is(ls_run(o.name, '{}') ->> 'error_code', '22023', o.name || ': a missing required parameter is 22023')
  FROM ls_operations o
 WHERE EXISTS (SELECT 1 FROM jsonb_array_elements(o.spec -> 'params') prm WHERE (prm ->> 'required')::boolean);

SELECT is(ls_run(o.name, '{"p_bogus": 1}') ->> 'error_code', '22023', o.name || ': an unknown parameter is 22023')
  FROM ls_operations o;

SELECT is(ls_run(o.name, jsonb_build_object(prm ->> 'name', 'not-a-uuid')) ->> 'error_code', '22P02',
          o.name || ': a malformed ' || (prm ->> 'name') || ' is 22P02')
  FROM ls_operations o, jsonb_array_elements(o.spec -> 'params') WITH ORDINALITY AS a(prm, i)
 WHERE prm ->> 'type' = 'uuid' AND (prm ->> 'required')::boolean
   AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(o.spec -> 'params') WITH ORDINALITY AS b(other, j)
                    WHERE (other ->> 'required')::boolean AND j < i);  -- checked first: the first required one

SELECT is(ls_run('batch_upsert_businesses_tx', '{"p_campaign_id": "00000000-0000-4000-8000-000000000000",
            "p_zip_code": "90001", "p_businesses": [{"place_id": "a", "name": "A"}, {"name": "B"}]}') ->> 'error',
          'p_businesses[1].place_id is required', 'the message names the element and its key');
SELECT is(track_api_cost_tx('00000000-0000-4000-8000-000000000000', 'bouncer', '{"cost_usd": "1"}') ->> 'error_code',
          '22023', 'a string is not money');
SELECT is(list_campaigns(p_limit => 1001) ->> 'error_code', '22023', 'limits are enforced');
SELECT is(save_linkedin_enrichment_tx('00000000-0000-4000-8000-000000000000', NULL,
            '{"bouncer_verified_at": "yesterday"}') ->> 'error_code', '22023', 'a timestamp must be ISO-8601');
SELECT is(save_linkedin_enrichment_tx('00000000-0000-4000-8000-000000000000', NULL,
            '{"email_quality_tier": 2.5}') ->> 'error_code', '22023', 'a label is text or an integer');
-- hostile input from direct callers (docs/reliability.md "Hostile input"): the same decisions as the library
SELECT is(track_api_cost_tx('00000000-0000-4000-8000-000000000000', 'bouncer',
            ('{"cost_usd": 1, "metadata": ' || repeat('[', 63) || repeat(']', 63) || '}')::jsonb) ->> 'error',
          'p_cost_data nests deeper than 64 levels of objects and arrays', 'nesting past ls_max_nesting() is 22023, naming the parameter');
SELECT is(track_api_cost_tx('00000000-0000-4000-8000-000000000000', 'bouncer',
            ('{"cost_usd": 1, "metadata": ' || repeat('[', 62) || repeat(']', 62) || '}')::jsonb) ->> 'error_code',
          'P0002', '64 levels are within the limit (the campaign is then not found)');
SELECT is(ls_run('update_campaign_status_tx', ('{"p_metadata": ' || repeat('[', 10000) || repeat(']', 10000) || '}')::jsonb) ->> 'error_code',
          '22023', '10000 levels are refused, no crash');
SELECT is(save_linkedin_enrichment_tx('00000000-0000-4000-8000-000000000000', NULL, '{"bouncer_status": "valid"}') ->> 'error_code',
          '22023', 'a LinkedIn bouncer_status is a verification status');
SELECT is(save_linkedin_enrichment_tx('00000000-0000-4000-8000-000000000000', NULL, '{"bouncer_status": " deliverable"}') ->> 'error_code',
          '22023', 'a LinkedIn bouncer_status is exact');
SELECT is(save_linkedin_enrichment_tx('00000000-0000-4000-8000-000000000000', NULL,
            jsonb_build_object('bouncer_verified_at', t)) ->> 'error_code', '22023', 'a timestamp past the limits: ' || t)
  FROM unnest(ARRAY['0000-01-01', '0001-01-01T00:30:00+01:00', '2025-06-01T24:00:00Z', '2025-06-01T12:00+16:00',
                    '2025-06-01T12:00+14:60', '2025-06-01T12:00+05:', 'infinity', '2025-02-29']) AS t;
SELECT is(save_linkedin_enrichment_tx('00000000-0000-4000-8000-000000000000', NULL,
            jsonb_build_object('bouncer_verified_at', t)) ->> 'error_code', 'P0002', 'a timestamp at the limits: ' || t)
  FROM unnest(ARRAY['0001-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '2025-06-30T23:59:60Z', '2025-06-01T12:00-15:59']) AS t;
SELECT is(get_campaign(u) ->> 'error_code', '22P02', 'a UUID in another shape is 22P02: ' || u)
  FROM unnest(ARRAY['{00000000-0000-4000-8000-000000000000}', '00000000000040008000000000000000',
                    'urn:uuid:00000000-0000-4000-8000-000000000000', ' 00000000-0000-4000-8000-000000000000']) AS u;
SELECT is(get_campaign('ABCDEF00-0000-4000-8000-000000000000') ->> 'error_code', 'P0002', 'an upper-case UUID is well-formed');
SELECT is((SELECT count(*) FROM gmaps_campaigns), :'rows_before'::bigint, 'refused calls wrote nothing');

SELECT * FROM finish();
ROLLBACK;
