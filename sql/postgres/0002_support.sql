-- leadstore:repeatable
-- 0002_support.sql — what every operation function shares: the caller from
-- the JWT claims, the nesting limit and idempotent replay; the validation of
-- each operation's parameters (0003), the rules of SPEC §4–§5 and the failure
-- object (0002_rules) are generated from the C tables.
-- ls_run() is the dispatcher every public function goes through, the
-- counterpart of the C library's leadstore_call().
--
-- Internal functions (ls_*) are not executable by clients (see 0006): the
-- public SECURITY DEFINER functions call them as their owner.

/*--- The call's clock and ids -----------------------------------------------------------*/

-- The call's clock: the timestamp the C library passes in the custom setting
-- `leadstore.now` (its open option clock_us, an injected clock for
-- deterministic tests), set for the call's transaction in the same statement
-- as the claims; else the transaction's now().  Every timestamp a function
-- writes comes from here.  PostgREST never sets leadstore.* and its clients
-- cannot; a session that runs SQL of its own can, as it can set the claims.
CREATE OR REPLACE FUNCTION ls_now() RETURNS timestamptz
LANGUAGE sql STABLE
AS $$ SELECT coalesce(nullif(current_setting('leadstore.now', true), '')::timestamptz, now()) $$;

-- A new row id: gen_random_uuid(), unless the library passed `leadstore.id_base`
-- (its open option new_uuid, called once per call): then the call's ids are
-- that UUID plus 0, 1, 2 … in its last 48 bits, in the order the rows are
-- made (the counter is `leadstore.id_next`, local to the transaction).
-- A UUIDv7 (RFC 9562 §5.7), as the embedded engine makes them (src/uuid.c): the
-- Unix time in milliseconds (clock_timestamp(), not the transaction's) in the first
-- 48 bits, the version, 12 bits of sub-millisecond time, the variant and random bits
-- (gen_random_uuid()'s).  Later ids sort after, so new rows append to the indexes.
CREATE OR REPLACE FUNCTION ls_uuid_v7() RETURNS uuid
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  v_us bigint := floor(extract(epoch FROM clock_timestamp()) * 1000000)::bigint;
  v_sub integer := ((v_us % 1000) * 4096 / 1000)::integer;
  v_b bytea := uuid_send(gen_random_uuid());
BEGIN
  v_b := overlay(v_b PLACING substring(int8send(v_us / 1000) FROM 3) FROM 1 FOR 6);
  v_b := set_byte(set_byte(v_b, 6, 112 | (v_sub >> 8)), 7, v_sub & 255);
  RETURN encode(v_b, 'hex')::uuid;
END
$$;

CREATE OR REPLACE FUNCTION ls_new_id() RETURNS uuid
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  v_base text := nullif(current_setting('leadstore.id_base', true), '');
  v_n bigint;
  v_tail bigint;
BEGIN
  IF v_base IS NULL THEN
    RETURN ls_uuid_v7();
  END IF;
  v_n := coalesce(nullif(current_setting('leadstore.id_next', true), '')::bigint, 0);
  PERFORM set_config('leadstore.id_next', (v_n + 1)::text, true);
  v_base := replace(v_base::uuid::text, '-', '');
  v_tail := (('x' || right(v_base, 12))::bit(48)::bigint + v_n) % 281474976710656;
  RETURN (left(v_base, 20) || lpad(to_hex(v_tail), 12, '0'))::uuid;
END
$$;

-- Every table's ids and creation timestamps come from the two functions above.
DO $defaults$
DECLARE
  t record;
BEGIN
  FOR t IN SELECT c.table_name, c.column_name FROM information_schema.columns c
            WHERE c.table_schema = 'public' AND c.table_name LIKE 'gmaps\_%'
              AND (c.column_name = 'id' OR c.column_default = 'now()')
  LOOP
    EXECUTE format('ALTER TABLE %I ALTER COLUMN %I SET DEFAULT %s', t.table_name, t.column_name,
                   CASE t.column_name WHEN 'id' THEN 'ls_new_id()' ELSE 'ls_now()' END);
  END LOOP;
END
$defaults$;

/*--- JSON shapes ---------------------------------------------------------------*/

-- A timestamp as the API prints it: ISO-8601, UTC, microseconds, 'Z'.
-- ls_ts and ls_money are STABLE, as to_char and to_jsonb are: a SQL function
-- declared IMMUTABLE around a STABLE call is never inlined, and a function that
-- is not inlined is planned again each time a statement calling it runs and
-- started as a query of its own at every call (a page of 100 businesses made 400).
CREATE OR REPLACE FUNCTION ls_ts(t timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') $$;

-- Money as a JSON number without trailing zeros (7.5, not 7.500000).
CREATE OR REPLACE FUNCTION ls_money(m numeric) RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT to_jsonb(trim_scale(m)) $$;

-- A campaign row as the API returns it.
CREATE OR REPLACE FUNCTION ls_campaign_json(c gmaps_campaigns) RETURNS jsonb
LANGUAGE sql STABLE
AS $$
  SELECT to_jsonb(c) || jsonb_build_object(
    'estimated_cost', ls_money(c.estimated_cost), 'google_maps_cost', ls_money(c.google_maps_cost),
    'facebook_cost', ls_money(c.facebook_cost), 'linkedin_enrichment_cost', ls_money(c.linkedin_enrichment_cost),
    'bouncer_verification_cost', ls_money(c.bouncer_verification_cost), 'actual_cost', ls_money(c.actual_cost),
    'started_at', ls_ts(c.started_at), 'completed_at', ls_ts(c.completed_at),
    'created_at', ls_ts(c.created_at), 'updated_at', ls_ts(c.updated_at))
$$;

-- A business row as the API returns it.
CREATE OR REPLACE FUNCTION ls_business_json(b gmaps_businesses) RETURNS jsonb
LANGUAGE sql STABLE
AS $$
  SELECT to_jsonb(b) || jsonb_build_object(
    'bouncer_verified_at', ls_ts(b.bouncer_verified_at), 'last_enrichment_attempt', ls_ts(b.last_enrichment_attempt),
    'created_at', ls_ts(b.created_at), 'updated_at', ls_ts(b.updated_at))
$$;

/*--- Rules (SPEC §4, §5, §7.8) --------------------------------------------------------*/

-- The state machine, the email rule, the source ranks and the is_safe default are
-- generated from the C tables into 0002_rules.sql.

-- A flag: true/"yes" → true, false/"no" → false, absent/null/"unknown" → NULL.
CREATE OR REPLACE FUNCTION ls_flag(p_value jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE WHEN p_value = 'true' OR p_value = '"yes"' THEN true
              WHEN p_value = 'false' OR p_value = '"no"' THEN false END
$$;

-- A text value of a data object: trimmed; blank or absent = NULL.
CREATE OR REPLACE FUNCTION ls_text(p_obj jsonb, p_key text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT nullif(btrim(CASE jsonb_typeof(p_obj -> p_key) WHEN 'string' THEN p_obj ->> p_key
                                                        WHEN 'number' THEN p_obj ->> p_key END,
                      E' \t\n\r\f\013'), '')
$$;

-- A list of strings of a data object as text[] (absent = NULL).
CREATE OR REPLACE FUNCTION ls_list(p_obj jsonb, p_key text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE WHEN jsonb_typeof(p_obj -> p_key) = 'array'
              THEN ARRAY(SELECT jsonb_array_elements_text(p_obj -> p_key)) END
$$;

-- A JSON value of a data object; absent and JSON null are NULL.
CREATE OR REPLACE FUNCTION ls_json(p_obj jsonb, p_key text) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT nullif(p_obj -> p_key, 'null'::jsonb) $$;

-- Money of a data object, rounded half away from zero to 1e-6 (NUMERIC(14,6)).
CREATE OR REPLACE FUNCTION ls_amount(p_obj jsonb, p_key text) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT round((p_obj ->> p_key)::numeric, 6) $$;

/*--- Failures -------------------------------------------------------------------------*/

-- The failure object of SPEC §3.1 (ls_failure) and the error map are generated into
-- 0002_rules.sql.

/*--- The caller (SPEC §3.4) --------------------------------------------------------------*/

-- The caller's organization — the one rule of who a call (ls_run) and a
-- direct read (the policies of 0008) act as: NULL for service_role, the
-- organization's UUID for authenticated; anything else is refused (42501).
--
-- Claims cannot out-rank the session.  PostgREST sets the session's role
-- (SET ROLE) and request.jwt.claims from one verified JWT; a session that
-- runs SQL of its own can set the claims but not become a role it does not
-- hold.  So the role comes from the session and the claims only narrow it:
--   * the session's role is SET ROLE's (current_setting('role'); it is not
--     current_user, which inside the SECURITY DEFINER functions is their
--     owner), else the login's (session_user);
--   * a session that holds service_role, or holds the role owning the
--     tables (the owner, a superuser: it can touch every row anyway), may act
--     as service_role — with no claims or with {"role": "service_role"} — or
--     as any organization ({"role": "authenticated", "organization_id": …}:
--     the C engine acting for a member);
--   * a session that holds authenticated, and not the above, acts only as
--     the organization of its claims: no claims, or claims of service_role,
--     are refused, never read as service_role;
--   * anon, and any other role, is refused whatever its claims say.
-- Claims that are present but not a JSON object, or name no role or an
-- unknown one, or authenticated without a UUID organization, are refused in
-- every session.  The organization claim itself is trusted, as Supabase's
-- auth.uid() trusts the claims' sub: under PostgREST only a signed JWT sets it.
-- search_path is pinned: the policies run this as the reader, whose own
-- search_path must not decide what current_setting or pg_has_role mean.
CREATE OR REPLACE FUNCTION ls_caller_org() RETURNS uuid
LANGUAGE plpgsql STABLE
SET search_path = public, pg_temp
AS $$
DECLARE
  v_session name := coalesce(nullif(current_setting('role'), 'none'), session_user);
  v_service boolean;
  v_text text := current_setting('request.jwt.claims', true);
  v_claims jsonb;
  v_role text;
  v_org text;
BEGIN
  v_service := v_session <> 'anon'
               AND (pg_has_role(v_session, 'service_role', 'MEMBER')
                    OR pg_has_role(v_session, (SELECT relowner FROM pg_class WHERE oid = 'gmaps_campaigns'::regclass),
                                   'MEMBER'));
  IF NOT v_service AND (v_session = 'anon' OR NOT pg_has_role(v_session, 'authenticated', 'MEMBER')) THEN
    RAISE EXCEPTION 'the % role may not call operations', v_session USING ERRCODE = '42501';
  END IF;
  IF coalesce(v_text, '') = '' THEN
    IF v_service THEN
      RETURN NULL;
    END IF;
    RAISE EXCEPTION 'a session of the % role needs claims naming its organization', v_session USING ERRCODE = '42501';
  END IF;
  BEGIN
    v_claims := v_text::jsonb;
  EXCEPTION WHEN invalid_text_representation THEN
    RAISE EXCEPTION 'the request.jwt.claims setting is not JSON' USING ERRCODE = '42501';
  END;
  IF jsonb_typeof(v_claims) <> 'object' THEN
    RAISE EXCEPTION 'the request.jwt.claims setting is not a JSON object' USING ERRCODE = '42501';
  END IF;
  v_role := v_claims ->> 'role';
  v_org := coalesce(v_claims ->> 'organization_id', v_claims -> 'app_metadata' ->> 'organization_id');
  IF v_role = 'service_role' AND v_service THEN
    RETURN NULL;
  ELSIF v_role = 'service_role' THEN
    RAISE EXCEPTION 'claims of service_role do not out-rank the session''s role %', v_session USING ERRCODE = '42501';
  ELSIF v_role = 'authenticated' AND v_org ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN
    RETURN v_org::uuid;
  ELSIF v_role = 'authenticated' THEN
    RAISE EXCEPTION 'an authenticated caller needs the UUID of its organization' USING ERRCODE = '42501';
  END IF;
  RAISE EXCEPTION 'the % role may not call operations', coalesce(v_role, 'anon') USING ERRCODE = '42501';
END
$$;

/*--- Validation (generated: 0003) -----------------------------------------------------*/

-- The parameters are validated by ls_validate_<operation> (0003), generated from the C
-- operations table; the interpreter of that table which did it before goes.
DROP FUNCTION IF EXISTS ls_check_object(jsonb, jsonb, text, boolean);
DROP FUNCTION IF EXISTS ls_check_value(jsonb, jsonb, text);
DROP FUNCTION IF EXISTS ls_invalid(text, text);

-- The optimal string alignment distance of two texts (Levenshtein plus the swap
-- of two neighbours), counted in characters: src/suggest.c's ls__edit_distance.
CREATE OR REPLACE FUNCTION ls_edit_distance(a text, b text) RETURNS integer
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
  x text[] := regexp_split_to_array(a, '');
  y text[] := regexp_split_to_array(b, '');
  n integer := char_length(a);
  m integer := char_length(b);
  prev2 integer[];
  prev integer[] := array_fill(0, ARRAY[m + 1], ARRAY[0]);
  cur integer[];
BEGIN
  FOR j IN 0 .. m LOOP prev[j] := j; END LOOP;
  FOR i IN 1 .. n LOOP
    cur := array_fill(0, ARRAY[m + 1], ARRAY[0]);
    cur[0] := i;
    FOR j IN 1 .. m LOOP
      cur[j] := least(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + CASE WHEN x[i] = y[j] THEN 0 ELSE 1 END);
      IF i > 1 AND j > 1 AND x[i] = y[j - 1] AND x[i - 1] = y[j] THEN
        cur[j] := least(cur[j], prev2[j - 2] + 1);
      END IF;
    END LOOP;
    prev2 := prev;
    prev := cur;
  END LOOP;
  RETURN prev[m];
END
$$;

-- "Did you mean": the first of p_candidates closest to p_word when it is close
-- (ls_suggest_max_distance edits at most, and fewer than p_word has
-- characters), else NULL — src/suggest.c's rule, so both engines answer alike.
CREATE OR REPLACE FUNCTION ls_suggest(p_word text, p_candidates text[]) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
  n integer := char_length(p_word);
  lim integer := ls_suggest_max_distance(n);
  c text;
  d integer;
  best text;
  best_d integer;
BEGIN
  IF lim = 0 THEN RETURN NULL; END IF;
  FOREACH c IN ARRAY p_candidates LOOP
    CONTINUE WHEN char_length(c) > 64;
    d := ls_edit_distance(p_word, c);
    CONTINUE WHEN d = 0 OR d >= n OR d > lim;
    IF best IS NULL OR d < best_d THEN
      best := c;
      best_d := d;
    END IF;
  END LOOP;
  RETURN best;
END
$$;

-- The nesting limit of the parameters (ls_max_nesting levels, the parameters object being
-- the first), parameter by parameter in byte order of their names: src/validate.c's
-- check_nesting, so both engines refuse the same call naming the same parameter.  An
-- object of parameters none of which is too deep is passed by one look at the whole.
CREATE OR REPLACE FUNCTION ls_check_nesting(p_params jsonb) RETURNS void
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  -- a container at this level inside a parameter's value is one level too deep
  v_deeper jsonpath := format('strict $.**{%s} ? (@.type() == "array" || @.type() == "object")',
                              ls_max_nesting() - 1)::jsonpath;
  -- the same, seen from the parameters object
  v_deeper_any jsonpath := format('strict $.**{%s} ? (@.type() == "array" || @.type() == "object")',
                                  ls_max_nesting())::jsonpath;
  k text;
  v jsonb;
BEGIN
  IF jsonb_typeof(p_params) = 'object' AND NOT jsonb_path_exists(p_params, v_deeper_any) THEN
    RETURN;
  END IF;
  FOR k, v IN SELECT key, value FROM jsonb_each(p_params) ORDER BY key COLLATE "C" LOOP
    IF jsonb_path_exists(v, v_deeper) THEN
      RAISE EXCEPTION USING ERRCODE = '22023',
        MESSAGE = format('%s nests deeper than %s levels of objects and arrays', left(k, 64), ls_max_nesting());
    END IF;
  END LOOP;
END
$$;

/*--- The dispatcher ------------------------------------------------------------------------*/

-- Runs operation p_op with the parameter object p_params as the caller of the
-- JWT claims: validates, replays a known p_request_id, runs the operation's
-- body, records the request id — and turns any error into the failure object,
-- with everything the call did rolled back.
CREATE OR REPLACE FUNCTION ls_run(p_op text, p_params jsonb) RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
  v_kind text := ls_operation_kind(p_op);
  v_org uuid;
  v_rid text;
  v_hash text;
  v_stored record;
  v_result jsonb;
  v_state text;
  v_message text;
BEGIN
  IF v_kind IS NULL THEN
    RAISE EXCEPTION 'unknown operation %', p_op USING ERRCODE = '42883';
  END IF;
  v_org := ls_caller_org();
  -- a compressed object (a direct caller's value read from a table; the public functions
  -- build theirs) is expanded once here, not again at every look inside it
  IF pg_column_compression(p_params) IS NOT NULL AND jsonb_typeof(p_params) = 'object' THEN
    p_params := p_params || '{}';
  END IF;
  PERFORM ls_check_nesting(p_params);
  -- ls_validate and ls_operation_kind are generated into 0003_operations.sql
  PERFORM ls_validate(p_op, p_params);
  IF v_kind = 'write' THEN
    v_rid := p_params ->> 'p_request_id';
  END IF;
  IF v_rid IS NOT NULL THEN
    -- one call per (organization, operation, request id) at a time
    PERFORM pg_advisory_xact_lock(hashtextextended(coalesce(v_org::text, '') || '/' || p_op || '/' || v_rid, 0));
    v_hash := encode(sha256(convert_to((p_params - 'p_request_id')::text, 'UTF8')), 'hex');
    SELECT params_hash, result INTO v_stored FROM gmaps_rpc_requests
     WHERE organization_id = coalesce(v_org::text, '') AND operation = p_op AND request_id = v_rid;
    IF FOUND THEN
      IF v_stored.params_hash <> v_hash THEN
        RAISE EXCEPTION 'p_request_id % was already used for % with different parameters', left(v_rid, 128), p_op
          USING ERRCODE = '22023';
      END IF;
      RETURN v_stored.result || '{"replayed": true}'::jsonb;
    END IF;
  END IF;

  -- the operation's body (ls_dispatch is generated into 0003_operations.sql)
  v_result := ls_dispatch(p_op, p_params, v_org);
  v_result := '{"success": true}'::jsonb || v_result;

  IF v_rid IS NOT NULL THEN
    INSERT INTO gmaps_rpc_requests (organization_id, operation, request_id, params_hash, result)
    VALUES (coalesce(v_org::text, ''), p_op, v_rid, v_hash, v_result);
  END IF;
  RETURN v_result;
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT;
  RETURN ls_failure(v_state, v_message);
END
$$;

-- A campaign the caller may see, locked FOR UPDATE when p_lock; raises P0002
-- "Campaign … not found" otherwise (also for another organization's).
CREATE OR REPLACE FUNCTION ls_campaign(p_id uuid, p_org uuid, p_lock boolean) RETURNS gmaps_campaigns
LANGUAGE plpgsql
AS $$
DECLARE
  c gmaps_campaigns;
BEGIN
  IF p_lock THEN
    SELECT * INTO c FROM gmaps_campaigns WHERE id = p_id AND (p_org IS NULL OR organization_id = p_org) FOR UPDATE;
  ELSE
    SELECT * INTO c FROM gmaps_campaigns WHERE id = p_id AND (p_org IS NULL OR organization_id = p_org);
  END IF;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'Campaign % not found', p_id USING ERRCODE = 'P0002';
  END IF;
  RETURN c;
END
$$;

-- The campaign of a call that scrapes into it (batch_upsert_businesses_tx,
-- update_coverage_status_tx), locked FOR UPDATE: P0002 as ls_campaign, then
-- P0001 "Campaign … is completed" (or failed) when its status is terminal
-- (SPEC §4; ls_status_terminal is generated from the C rules into 0002_rules).
CREATE OR REPLACE FUNCTION ls_campaign_scrapable(p_id uuid, p_org uuid) RETURNS gmaps_campaigns
LANGUAGE plpgsql
AS $$
DECLARE
  c gmaps_campaigns := ls_campaign(p_id, p_org, true);
BEGIN
  IF ls_status_terminal(c.status) THEN
    RAISE EXCEPTION 'Campaign % is %', c.id, c.status USING ERRCODE = 'P0001';
  END IF;
  RETURN c;
END
$$;
