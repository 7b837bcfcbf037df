-- 05_rules.sql — the functions generated from the C rule tables (0002_rules.sql)
-- and the generated dispatch chain (0003_operations.sql) behave as the C
-- library's rules do, at their edges.
BEGIN;
SELECT * FROM no_plan();

-- the email rule: 254 bytes at most, bytes not characters, C's white space only
SELECT is(ls_email_clean(repeat('x', 242) || '@example.com'), repeat('x', 242) || '@example.com', '254 bytes are well-formed');
SELECT is(ls_email_clean(repeat('x', 243) || '@example.com'), NULL, '255 bytes are not');
SELECT is(ls_email_clean(repeat('x', 387) || '@example.com'), NULL, '399 bytes are not');
SELECT is(ls_email_clean(repeat('é', 122) || '@example.com'), NULL, '134 characters of 256 bytes are not');
SELECT is(ls_email_clean(repeat('é', 121) || '@example.com'), repeat('é', 121) || '@example.com', '133 characters of 254 bytes are');
SELECT is(ls_email_clean(E' \t a@b.c \r\n'), 'a@b.c', 'trimmed of C''s white space');
SELECT is(ls_email_clean(E'a\013b@c.d'), NULL, 'a vertical tab inside is white space');
SELECT is(ls_email_clean('a@b@c'), NULL, 'two @ are not well-formed');
SELECT is(ls_email_clean('@b.c'), NULL, 'nothing before @');

-- the state machine, ranks, value lists, is_safe
SELECT ok(ls_status_transition_valid('paused', 'running') AND NOT ls_status_transition_valid('paused', 'completed'),
          'the state machine');
SELECT ok(NOT ls_status_transition_valid(NULL, 'running'), 'no current status is not a transition');
SELECT ok(ls_source_rank('linkedin') > ls_source_rank('facebook') AND ls_source_rank('facebook') > ls_source_rank('google_maps')
          AND ls_source_rank('google_maps') > ls_source_rank('not_found') AND ls_source_rank('bogus') = 0, 'the source ranks');
SELECT is(ls_values('email_source'), ARRAY['linkedin', 'facebook', 'google_maps', 'not_found'], 'a value list');
SELECT is(ls_values('bogus'), NULL, 'an unknown value list');
SELECT ok(ls_is_safe_default('deliverable', '70') AND NOT ls_is_safe_default('deliverable', '69.9')
          AND NOT ls_is_safe_default('risky', '99') AND NOT ls_is_safe_default('deliverable', NULL), 'the is_safe default');

-- the error map
SELECT is(ls_error_code('23514'), '22023', 'a check violation is 22023');
SELECT is(ls_error_code('23503'), 'P0002', 'a foreign key violation is P0002');
SELECT is(ls_error_code('08003'), '08003', 'a connection failure keeps its code');
SELECT is(ls_error_code('42P01'), 'XX000', 'anything else is XX000');
SELECT ok((ls_failure('55P03', 'busy') ->> 'retry_recommended')::boolean
          AND NOT (ls_failure('22023', 'bad') ->> 'retry_recommended')::boolean, 'retry_recommended follows the map');

-- the generated dispatch chain refuses what it does not know
SELECT throws_ok($$SELECT ls_dispatch('no_such_operation', '{}', NULL)$$, '42883', NULL,
                 'ls_dispatch raises 42883 for an unknown operation');

SELECT * FROM finish();
ROLLBACK;
