-- 05_clock_and_ids.sql — the call's clock and ids (0002: ls_now, ls_new_id):
-- without leadstore.now / leadstore.id_base the server's clock and random
-- ids; with them, exactly the given timestamp and the given UUID counted on
-- in the order the rows are made; the settings last for the transaction only.
BEGIN;
SELECT * FROM no_plan();

SELECT set_config('request.jwt.claims', '{"role": "service_role"}', true);
SELECT is(ls_now(), now(), 'without leadstore.now the clock is the transaction''s now()');
SELECT isnt(ls_new_id(), ls_new_id(), 'without leadstore.id_base the ids are random');
-- … and time-ordered: UUIDv7 (RFC 9562), version 7, variant 10, the Unix milliseconds first
SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint AS t0, ls_new_id()::text AS v7 \gset
SELECT ok(substr(:'v7', 15, 1) = '7' AND substr(:'v7', 20, 1) IN ('8', '9', 'a', 'b'),
          'without leadstore.id_base an id is a UUIDv7: ' || :'v7');
SELECT ok(('x' || lpad(replace(left(:'v7', 13), '-', ''), 16, '0'))::bit(64)::bigint
            BETWEEN :t0 AND floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint,
          'its first 48 bits are the Unix milliseconds of its making');

SELECT set_config('leadstore.now', '2026-01-02T03:04:05.000006Z', true);
SELECT set_config('leadstore.id_base', '00000000-0001-4000-8000-0000000000fe', true);
SELECT is((create_campaign_with_coverage_tx(p_campaign_data => '{"name": "clock"}',
                                            p_coverage_data => '[{"zip": "1"}, {"zip": "2"}]')) ->> 'campaign_id',
          '00000000-0001-4000-8000-0000000000fe', 'the first row of the call takes leadstore.id_base');
SELECT is((SELECT created_at FROM gmaps_campaigns WHERE id = '00000000-0001-4000-8000-0000000000fe'),
          '2026-01-02T03:04:05.000006Z'::timestamptz, 'its timestamps are leadstore.now');
SELECT results_eq($$SELECT id::text FROM gmaps_campaign_status_history
                    UNION ALL SELECT id::text FROM gmaps_campaign_coverage ORDER BY 1$$,
                  ARRAY['00000000-0001-4000-8000-0000000000ff', '00000000-0001-4000-8000-000000000100',
                        '00000000-0001-4000-8000-000000000101'],
                  'the next rows count on from it, carrying into the next byte');
SELECT is((SELECT count(*) FROM gmaps_campaign_coverage WHERE created_at = '2026-01-02T03:04:05.000006Z'), 2::bigint,
          'the coverage rows have the call''s timestamp');

SELECT set_config('leadstore.now', 'not a time', true);
SELECT is((create_campaign_with_coverage_tx(p_campaign_data => '{"name": "bad clock"}')) ->> 'success', 'false',
          'a malformed leadstore.now fails the call');

SELECT * FROM finish();
ROLLBACK;
