-- leadstore:repeatable
-- 0007_reads.sql — the lead reads on PostgreSQL, the counterpart of the
-- embedded engine's src/sqlite/reads.c (SPEC §7.14–7.18):
--
--   list_businesses      a campaign's businesses, oldest first, filtered, in keyset pages
--   get_business         one business with its enrichments and verifications
--   list_coverage        a campaign's coverage rows in ZIP (byte) order, in keyset pages
--   list_costs           a campaign's cost log, oldest first, in keyset pages, with the exact sum
--   get_status_history   a campaign's status changes, oldest first
--
-- Each body is STABLE and looks its campaign or business up itself (not
-- through the volatile ls_campaign), so every statement of a call reads the
-- one snapshot of the call; another organization's id is P0002, as if it
-- did not exist.  The public functions and ls_dispatch are generated in 0003.
--
-- Keyset pages: p_after is the id of the last row of the previous page
-- (next_after); its sort key is looked up — it must be a row of the same
-- campaign's list, whatever the filters, else 22023 — and the page reads on
-- with a row-value comparison on an index that starts with the campaign and
-- the order's columns, so a page costs the same at any depth.  One row more
-- than p_limit is read: next_after is null exactly when nothing follows.
-- Ids compare as uuid (bytes), the same order as the embedded engine's
-- lower-case text; ZIPs compare COLLATE "C" (bytes), as SQLite's BINARY.

/*--- Indexes ------------------------------------------------------------------------------------------*/

-- list_businesses reads idx_businesses_campaign (campaign_id, created_at, id) of 0001.
CREATE INDEX IF NOT EXISTS idx_api_costs_page ON gmaps_api_costs (campaign_id, incurred_at, id);
CREATE INDEX IF NOT EXISTS idx_coverage_page ON gmaps_campaign_coverage (campaign_id, zip_code COLLATE "C");

/*--- Shared ------------------------------------------------------------------------------------------*/

-- Whether p_needle is a substring of p_text with ASCII letters folded: the
-- search of list_businesses.  translate() and strpos() follow no locale (unlike
-- lower() and ILIKE), and % and _ are plain characters; the embedded engine's
-- ls_contains_ci (src/sqlite/functions.c) folds the same letters only.
CREATE OR REPLACE FUNCTION ls_contains_ci(p_text text, p_needle text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT coalesce(strpos(translate(p_text, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'),
                         translate(p_needle, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')) > 0,
                  false)
$$;

-- The campaign the caller may see, in the caller's snapshot: P0002 otherwise.
CREATE OR REPLACE FUNCTION ls_reads_campaign(p_id uuid, p_org uuid) RETURNS void
LANGUAGE plpgsql STABLE
AS $$
BEGIN
  PERFORM 1 FROM gmaps_campaigns WHERE id = p_id AND (p_org IS NULL OR organization_id = p_org);
  IF NOT FOUND THEN
    RAISE EXCEPTION 'Campaign % not found', p_id USING ERRCODE = 'P0002';
  END IF;
END
$$;

CREATE OR REPLACE FUNCTION ls_reads_bad_after(p_after uuid) RETURNS void
LANGUAGE plpgsql IMMUTABLE
AS $$ BEGIN RAISE EXCEPTION 'p_after is not a row of this list: %', p_after USING ERRCODE = '22023'; END $$;

-- A page read with one row too many → {<p_key>: the first p_limit rows, next_after}.
CREATE OR REPLACE FUNCTION ls_reads_page(p_key text, p_rows jsonb, p_limit integer) RETURNS jsonb
LANGUAGE sql IMMUTABLE
AS $$
  SELECT CASE WHEN jsonb_array_length(p_rows) > p_limit
              THEN jsonb_build_object(p_key, p_rows - p_limit, 'next_after', p_rows -> (p_limit - 1) -> 'id')
              ELSE jsonb_build_object(p_key, p_rows, 'next_after', NULL) END
$$;

/*--- JSON shapes (as ls_campaign_json and ls_business_json of 0002) --------------------------------------*/

CREATE OR REPLACE FUNCTION ls_coverage_json(v gmaps_campaign_coverage) RETURNS jsonb
LANGUAGE sql STABLE
AS $$
  SELECT to_jsonb(v) || jsonb_build_object(
    'estimated_cost', ls_money(v.estimated_cost), 'actual_cost', ls_money(v.actual_cost),
    'scraped_at', ls_ts(v.scraped_at), 'created_at', ls_ts(v.created_at), 'updated_at', ls_ts(v.updated_at))
$$;

CREATE OR REPLACE FUNCTION ls_cost_json(x gmaps_api_costs) RETURNS jsonb
LANGUAGE sql STABLE
AS $$
  SELECT to_jsonb(x) || jsonb_build_object(
    'cost_usd', ls_money(x.cost_usd), 'incurred_at', ls_ts(x.incurred_at), 'created_at', ls_ts(x.created_at))
$$;

CREATE OR REPLACE FUNCTION ls_facebook_json(e gmaps_facebook_enrichments) RETURNS jsonb
LANGUAGE sql STABLE
AS $$
  SELECT to_jsonb(e) || jsonb_build_object(
    'bouncer_verified_at', ls_ts(e.bouncer_verified_at), 'created_at', ls_ts(e.created_at),
    'updated_at', ls_ts(e.updated_at))
$$;

CREATE OR REPLACE FUNCTION ls_linkedin_json(e gmaps_linkedin_enrichments) RETURNS jsonb
LANGUAGE sql STABLE
AS $$
  SELECT to_jsonb(e) || jsonb_build_object(
    'bouncer_verified_at', ls_ts(e.bouncer_verified_at), 'created_at', ls_ts(e.created_at),
    'updated_at', ls_ts(e.updated_at))
$$;

CREATE OR REPLACE FUNCTION ls_verification_json(v gmaps_email_verifications) RETURNS jsonb
LANGUAGE sql STABLE
AS $$
  SELECT to_jsonb(v) || jsonb_build_object('verified_at', ls_ts(v.verified_at), 'created_at', ls_ts(v.created_at))
$$;

/*--- list_businesses (SPEC §7.14) -------------------------------------------------------------------------*/

CREATE OR REPLACE FUNCTION ls_op_list_businesses(p jsonb, p_org uuid) RETURNS jsonb
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  v_campaign uuid := (p ->> 'p_campaign_id')::uuid;
  v_zip text := p ->> 'p_zip_code';
  v_source text := p ->> 'p_email_source';
  v_verified boolean := (ls_json(p, 'p_verified') #>> '{}')::boolean;
  v_safe boolean := (ls_json(p, 'p_safe') #>> '{}')::boolean;
  v_status text := p ->> 'p_enrichment_status';
  v_search text := nullif(btrim(p ->> 'p_search', E' \t\n\r\f\013'), '');
  v_limit integer := coalesce((ls_json(p, 'p_limit') #>> '{}')::numeric::integer, 100);
  v_after uuid := (p ->> 'p_after')::uuid;
  v_after_at timestamptz := '-infinity'::timestamptz;
  v_after_id uuid := '00000000-0000-0000-0000-000000000000'::uuid;
  v_rows jsonb;
  v_total bigint;
BEGIN
  PERFORM ls_reads_campaign(v_campaign, p_org);
  IF v_after IS NOT NULL THEN
    SELECT b.created_at, b.id INTO v_after_at, v_after_id
      FROM gmaps_businesses b WHERE b.id = v_after AND b.campaign_id = v_campaign;
    IF NOT FOUND THEN
      PERFORM ls_reads_bad_after(v_after);
    END IF;
  END IF;

  SELECT coalesce(jsonb_agg(ls_business_json(q.b) ORDER BY q.created_at, q.id), '[]'::jsonb) INTO v_rows
    FROM (SELECT b, b.created_at, b.id FROM gmaps_businesses b
           WHERE b.campaign_id = v_campaign AND (b.created_at, b.id) > (v_after_at, v_after_id)
             AND (v_zip IS NULL OR b.zip_code = v_zip)
             AND (v_source IS NULL OR b.email_source = v_source)
             AND (v_verified IS NULL OR b.email_verified = v_verified)
             AND (v_safe IS NULL OR b.is_safe = v_safe)
             AND (v_status IS NULL OR b.enrichment_status = v_status)
             AND (v_search IS NULL OR ls_contains_ci(b.name, v_search) OR ls_contains_ci(b.email, v_search)
                  OR ls_contains_ci(b.website, v_search) OR ls_contains_ci(b.phone, v_search))
           ORDER BY b.created_at, b.id LIMIT v_limit + 1) q;

  -- without a filter, the campaign's counter (SPEC §6, proven by ls_check): no count that
  -- grows with the campaign
  IF v_zip IS NULL AND v_source IS NULL AND v_verified IS NULL AND v_safe IS NULL AND v_status IS NULL
     AND v_search IS NULL THEN
    SELECT c.total_businesses_found INTO v_total FROM gmaps_campaigns c WHERE c.id = v_campaign;
  ELSE
    SELECT count(*) INTO v_total FROM gmaps_businesses b
     WHERE b.campaign_id = v_campaign
       AND (v_zip IS NULL OR b.zip_code = v_zip)
       AND (v_source IS NULL OR b.email_source = v_source)
       AND (v_verified IS NULL OR b.email_verified = v_verified)
       AND (v_safe IS NULL OR b.is_safe = v_safe)
       AND (v_status IS NULL OR b.enrichment_status = v_status)
       AND (v_search IS NULL OR ls_contains_ci(b.name, v_search) OR ls_contains_ci(b.email, v_search)
            OR ls_contains_ci(b.website, v_search) OR ls_contains_ci(b.phone, v_search));
  END IF;

  RETURN ls_reads_page('businesses', v_rows, v_limit) || jsonb_build_object('total', v_total);
END
$$;

/*--- get_business (SPEC §7.15) ----------------------------------------------------------------------------*/

CREATE OR REPLACE FUNCTION ls_op_get_business(p jsonb, p_org uuid) RETURNS jsonb
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  v_id uuid := (p ->> 'p_business_id')::uuid;
  b gmaps_businesses;
BEGIN
  SELECT x.* INTO b FROM gmaps_businesses x JOIN gmaps_campaigns c ON c.id = x.campaign_id
   WHERE x.id = v_id AND (p_org IS NULL OR c.organization_id = p_org);
  IF NOT FOUND THEN
    RAISE EXCEPTION 'Business % not found', v_id USING ERRCODE = 'P0002';
  END IF;
  RETURN jsonb_build_object(
    'business', ls_business_json(b),
    'facebook_enrichments',
      (SELECT coalesce(jsonb_agg(ls_facebook_json(e) ORDER BY e.created_at, e.id), '[]'::jsonb)
         FROM gmaps_facebook_enrichments e WHERE e.business_id = b.id),
    'linkedin_enrichments',
      (SELECT coalesce(jsonb_agg(ls_linkedin_json(e) ORDER BY e.created_at, e.id), '[]'::jsonb)
         FROM gmaps_linkedin_enrichments e WHERE e.business_id = b.id),
    'verifications',
      (SELECT coalesce(jsonb_agg(ls_verification_json(v) ORDER BY v.verified_at, v.id), '[]'::jsonb)
         FROM gmaps_email_verifications v WHERE v.business_id = b.id));
END
$$;

/*--- list_coverage (SPEC §7.16) ---------------------------------------------------------------------------*/

-- A ZIP is unique within its campaign, so the ZIP alone is the page key.
CREATE OR REPLACE FUNCTION ls_op_list_coverage(p jsonb, p_org uuid) RETURNS jsonb
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  v_campaign uuid := (p ->> 'p_campaign_id')::uuid;
  v_scraped boolean := (ls_json(p, 'p_scraped') #>> '{}')::boolean;
  v_limit integer := coalesce((ls_json(p, 'p_limit') #>> '{}')::numeric::integer, 100);
  v_after uuid := (p ->> 'p_after')::uuid;
  v_after_zip text := '';
  v_rows jsonb;
  v_total bigint;
BEGIN
  PERFORM ls_reads_campaign(v_campaign, p_org);
  IF v_after IS NOT NULL THEN
    SELECT v.zip_code INTO v_after_zip
      FROM gmaps_campaign_coverage v WHERE v.id = v_after AND v.campaign_id = v_campaign;
    IF NOT FOUND THEN
      PERFORM ls_reads_bad_after(v_after);
    END IF;
  END IF;

  SELECT coalesce(jsonb_agg(ls_coverage_json(q.v) ORDER BY q.zip), '[]'::jsonb) INTO v_rows
    FROM (SELECT v, v.zip_code COLLATE "C" AS zip FROM gmaps_campaign_coverage v
           WHERE v.campaign_id = v_campaign AND v.zip_code COLLATE "C" > v_after_zip
             AND (v_scraped IS NULL OR v.scraped = v_scraped)
           ORDER BY v.zip_code COLLATE "C" LIMIT v_limit + 1) q;

  SELECT count(*) INTO v_total FROM gmaps_campaign_coverage v
   WHERE v.campaign_id = v_campaign AND (v_scraped IS NULL OR v.scraped = v_scraped);

  RETURN ls_reads_page('coverage', v_rows, v_limit) || jsonb_build_object('total', v_total);
END
$$;

/*--- list_costs (SPEC §7.17) ------------------------------------------------------------------------------*/

CREATE OR REPLACE FUNCTION ls_op_list_costs(p jsonb, p_org uuid) RETURNS jsonb
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  v_campaign uuid := (p ->> 'p_campaign_id')::uuid;
  v_service text := p ->> 'p_service';
  v_limit integer := coalesce((ls_json(p, 'p_limit') #>> '{}')::numeric::integer, 100);
  v_after uuid := (p ->> 'p_after')::uuid;
  v_after_at timestamptz := '-infinity'::timestamptz;
  v_after_id uuid := '00000000-0000-0000-0000-000000000000'::uuid;
  v_rows jsonb;
  v_total bigint;
  v_sum numeric;
BEGIN
  PERFORM ls_reads_campaign(v_campaign, p_org);
  IF v_after IS NOT NULL THEN
    SELECT x.incurred_at, x.id INTO v_after_at, v_after_id
      FROM gmaps_api_costs x WHERE x.id = v_after AND x.campaign_id = v_campaign;
    IF NOT FOUND THEN
      PERFORM ls_reads_bad_after(v_after);
    END IF;
  END IF;

  SELECT coalesce(jsonb_agg(ls_cost_json(q.x) ORDER BY q.incurred_at, q.id), '[]'::jsonb) INTO v_rows
    FROM (SELECT x, x.incurred_at, x.id FROM gmaps_api_costs x
           WHERE x.campaign_id = v_campaign AND (x.incurred_at, x.id) > (v_after_at, v_after_id)
             AND (v_service IS NULL OR x.service = v_service)
           ORDER BY x.incurred_at, x.id LIMIT v_limit + 1) q;

  -- numeric sum of NUMERIC(14,6): exact
  SELECT count(*), coalesce(sum(x.cost_usd), 0) INTO v_total, v_sum FROM gmaps_api_costs x
   WHERE x.campaign_id = v_campaign AND (v_service IS NULL OR x.service = v_service);

  RETURN ls_reads_page('costs', v_rows, v_limit)
         || jsonb_build_object('total', v_total, 'total_usd', ls_money(v_sum));
END
$$;

/*--- get_status_history (SPEC §7.18) ----------------------------------------------------------------------*/

-- In the order of the changes: seq, which is exact when two changes share a timestamp.
CREATE OR REPLACE FUNCTION ls_op_get_status_history(p jsonb, p_org uuid) RETURNS jsonb
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  v_campaign uuid := (p ->> 'p_campaign_id')::uuid;
BEGIN
  PERFORM ls_reads_campaign(v_campaign, p_org);
  RETURN jsonb_build_object('history',
    (SELECT coalesce(jsonb_agg(jsonb_build_object('old_status', h.old_status, 'new_status', h.new_status,
                                                  'metadata', h.metadata, 'changed_at', ls_ts(h.changed_at))
                               ORDER BY h.seq), '[]'::jsonb)
       FROM gmaps_campaign_status_history h WHERE h.campaign_id = v_campaign));
END
$$;
