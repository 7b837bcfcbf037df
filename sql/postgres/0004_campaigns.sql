-- leadstore:repeatable
-- 0004_campaigns.sql — the campaign operations on PostgreSQL, the counterpart
-- of the embedded engine's src/sqlite/campaigns.c, coverage.c, costs.c and
-- statistics.c (SPEC §4, §6, §7.1–7.4, §7.9–7.12):
--
--   create_campaign_with_coverage_tx   a draft campaign, its first history row, one coverage row per ZIP
--   update_campaign_status_tx          the state machine of §4, with a history row
--   is_valid_status_transition         the state machine as an answer (and as a plain boolean function)
--   update_coverage_status_tx          one ZIP marked scraped, with what the scrape found
--   track_api_cost_tx                  one row of the cost log, added to the campaign's totals
--   update_campaign_statistics_tx      the counters of §6 recounted, stored, drift reported
--   get_campaign, list_campaigns       the reads, each in one snapshot
--
-- For each operation: a body ls_op_<name>(p, p_org) that only does the work
-- (ls_run of 0002 has validated p with ls_validate_<name>, resolved the
-- caller's organization p_org — NULL for service_role — replayed a known
-- p_request_id, and turns any error raised here into the failure object with
-- everything rolled back).  The public SECURITY DEFINER function with the
-- SPEC's name and parameters, which hands its parameters to ls_run, is
-- generated from the operations table in 0003.
--
-- Every write locks its campaign row first (ls_campaign(id, org, true); the
-- two that scrape, coverage and businesses, through ls_campaign_scrapable,
-- which also refuses a completed or failed campaign: SPEC §4); the
-- lock order of every operation is campaign → coverage → business →
-- enrichment, so concurrent calls queue instead of deadlocking, and no
-- update is lost.  Reads are STABLE: all their statements share the
-- snapshot of the call.  Timestamps of one call are all ls_now() (the
-- transaction's clock, or the library's injected one: 0002), like the
-- embedded engine's call clock.

/*--- create_campaign_with_coverage_tx (SPEC §7.1) ---------------------------------------*/

CREATE OR REPLACE FUNCTION ls_op_create_campaign_with_coverage_tx(p jsonb, p_org uuid) RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
  v_data jsonb := p -> 'p_campaign_data';
  v_items jsonb := CASE WHEN jsonb_typeof(p -> 'p_coverage_data') = 'array' THEN p -> 'p_coverage_data'
                        ELSE '[]'::jsonb END;
  v_n integer := jsonb_array_length(v_items);
  v_org uuid := (v_data ->> 'organization_id')::uuid;
  v_keywords text[] := coalesce(ls_list(v_data, 'keywords'), '{}');
  v_id uuid;
  v_dup_index bigint;
  v_dup_zip text;
BEGIN
  IF p_org IS NOT NULL AND v_org IS NOT NULL AND v_org <> p_org THEN
    RAISE EXCEPTION 'p_campaign_data.organization_id must be the caller''s own organization' USING ERRCODE = '22023';
  END IF;
  IF p_org IS NOT NULL THEN
    v_org := p_org;
  END IF;

  -- A repeated ZIP (compared exactly) is 23505 naming its second occurrence,
  -- as the embedded engine reports it; nothing has been written yet.
  SELECT d.ord - 1, d.zip INTO v_dup_index, v_dup_zip
    FROM (SELECT e.ord, coalesce(e.x ->> 'zip_code', e.x ->> 'zip') AS zip,
                 row_number() OVER (PARTITION BY coalesce(e.x ->> 'zip_code', e.x ->> 'zip') ORDER BY e.ord) AS nth
            FROM jsonb_array_elements(v_items) WITH ORDINALITY AS e(x, ord)) d
   WHERE d.nth > 1
   ORDER BY d.ord
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'p_coverage_data[%]: ZIP % appears more than once', v_dup_index, v_dup_zip USING ERRCODE = '23505';
  END IF;

  -- Text values are stored as given (the validation has checked them), as the
  -- embedded engine's handler stores them.
  INSERT INTO gmaps_campaigns (name, description, keywords, location, coverage_profile, custom_zip_codes, status,
                               target_zip_count, actual_zip_count, coverage_percentage, estimated_cost,
                               organization_id, created_by, created_at, updated_at)
  VALUES (v_data ->> 'name', v_data ->> 'description', v_keywords, v_data ->> 'location',
          coalesce(v_data ->> 'coverage_profile', 'balanced'), coalesce(ls_list(v_data, 'custom_zip_codes'), '{}'),
          ls_status_initial(), coalesce((v_data ->> 'target_zip_count')::numeric::integer, v_n), v_n,
          (v_data ->> 'coverage_percentage')::double precision, coalesce(ls_amount(v_data, 'estimated_cost'), 0),
          v_org, coalesce(v_data ->> 'created_by', 'system'), ls_now(), ls_now())
  RETURNING id INTO v_id;

  INSERT INTO gmaps_campaign_status_history (campaign_id, seq, old_status, new_status, metadata, changed_at)
  VALUES (v_id, 1, NULL, ls_status_initial(), NULL, ls_now());

  -- one coverage row per element, in input order; keywords default to the campaign's
  INSERT INTO gmaps_campaign_coverage (campaign_id, zip_code, keywords, max_results, estimated_cost,
                                       created_at, updated_at)
  SELECT v_id, coalesce(e.x ->> 'zip_code', e.x ->> 'zip'), coalesce(ls_list(e.x, 'keywords'), v_keywords),
         coalesce((e.x ->> 'max_results')::numeric::integer, 200), coalesce(ls_amount(e.x, 'estimated_cost'), 0),
         ls_now(), ls_now()
    FROM jsonb_array_elements(v_items) WITH ORDINALITY AS e(x, ord)
   ORDER BY e.ord;

  RETURN jsonb_build_object('campaign_id', v_id, 'coverage_count', v_n, 'status', ls_status_initial());
END
$$;

/*--- update_campaign_status_tx (SPEC §4, §7.2) ---------------------------------------------*/

CREATE OR REPLACE FUNCTION ls_op_update_campaign_status_tx(p jsonb, p_org uuid) RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
  c gmaps_campaigns := ls_campaign((p ->> 'p_campaign_id')::uuid, p_org, true);
  v_to text := p ->> 'p_new_status';
  v_started timestamptz;
  v_completed timestamptz;
BEGIN
  IF NOT ls_status_transition_valid(c.status, v_to) THEN
    RAISE EXCEPTION 'Invalid status transition: % -> %', c.status, v_to USING ERRCODE = 'P0001';
  END IF;

  UPDATE gmaps_campaigns
     SET status = v_to,
         started_at = CASE WHEN ls_status_started(v_to) AND started_at IS NULL THEN ls_now() ELSE started_at END,
         completed_at = CASE WHEN ls_status_terminal(v_to) THEN ls_now() ELSE completed_at END,
         updated_at = ls_now()
   WHERE id = c.id
  RETURNING started_at, completed_at INTO v_started, v_completed;

  INSERT INTO gmaps_campaign_status_history (campaign_id, seq, old_status, new_status, metadata, changed_at)
  VALUES (c.id, (SELECT coalesce(max(h.seq), 0) + 1 FROM gmaps_campaign_status_history h WHERE h.campaign_id = c.id),
          c.status, v_to, ls_json(p, 'p_metadata'), ls_now());

  RETURN jsonb_build_object('campaign_id', c.id, 'old_status', c.status, 'new_status', v_to,
                            'started_at', ls_ts(v_started), 'completed_at', ls_ts(v_completed));
END
$$;

/*--- is_valid_status_transition (SPEC §7.3) ---------------------------------------------------*/

CREATE OR REPLACE FUNCTION ls_op_is_valid_status_transition(p jsonb, p_org uuid) RETURNS jsonb
LANGUAGE plpgsql STABLE
AS $$
BEGIN
  RETURN jsonb_build_object('valid', ls_status_transition_valid(p ->> 'p_current', p ->> 'p_new'));
END
$$;

-- The RPC takes jsonb so that a non-string value reaches the validation (22023)
-- instead of being cast, and so that it does not clash with the plain
-- boolean function below, which has the same arity.
-- The plain SQL predicate (unnamed parameters):
-- SELECT is_valid_status_transition('draft', 'running') → true.
CREATE OR REPLACE FUNCTION public.is_valid_status_transition(text, text) RETURNS boolean
LANGUAGE sql IMMUTABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ SELECT ls_status_transition_valid($1, $2) $$;

/*--- update_coverage_status_tx (SPEC §7.4) -------------------------------------------------------*/

CREATE OR REPLACE FUNCTION ls_op_update_coverage_status_tx(p jsonb, p_org uuid) RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
  c gmaps_campaigns := ls_campaign_scrapable((p ->> 'p_campaign_id')::uuid, p_org);
  v_zip text := p ->> 'p_zip_code';
  v_results jsonb := ls_json(p, 'p_results');
  v_found integer := coalesce((v_results ->> 'businesses_found')::numeric::integer, 0);
  v_emails integer := coalesce((v_results ->> 'emails_found')::numeric::integer, 0);
BEGIN
  -- the campaign's coverage counters (0009) lose the row's current values and gain the
  -- new ones, before the row is overwritten (the campaign row is locked: no other
  -- writer of its coverage runs meanwhile)
  UPDATE gmaps_campaigns k
     SET zips_scraped = k.zips_scraped + (NOT v.scraped)::integer,
         zip_businesses_found = k.zip_businesses_found - v.businesses_found + v_found,
         zip_emails_found = k.zip_emails_found - v.emails_found + v_emails, updated_at = ls_now()
    FROM gmaps_campaign_coverage v
   WHERE k.id = c.id AND v.campaign_id = c.id AND v.zip_code = v_zip;
  -- missing results are 0: a repeat overwrites, it does not add
  UPDATE gmaps_campaign_coverage
     SET scraped = true, scraped_at = ls_now(),
         businesses_found = v_found,
         emails_found = v_emails,
         actual_cost = coalesce(ls_amount(v_results, 'actual_cost'), 0),
         updated_at = ls_now()
   WHERE campaign_id = c.id AND zip_code = v_zip;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'Coverage record for campaign % ZIP % not found', c.id, v_zip USING ERRCODE = 'P0002';
  END IF;
  RETURN jsonb_build_object('campaign_id', c.id, 'zip_code', v_zip, 'scraped_at', ls_ts(ls_now()));
END
$$;

/*--- track_api_cost_tx (SPEC §7.9) -----------------------------------------------------------------*/

CREATE OR REPLACE FUNCTION ls_op_track_api_cost_tx(p jsonb, p_org uuid) RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
  c gmaps_campaigns := ls_campaign((p ->> 'p_campaign_id')::uuid, p_org, true);
  v_service text := p ->> 'p_service';
  v_data jsonb := p -> 'p_cost_data';
  v_cost numeric := ls_amount(v_data, 'cost_usd');
  v_cost_id uuid;
  v_service_cost numeric;
  v_actual numeric;
BEGIN
  -- c is the locked, current row: the new total is exact before anything is written
  IF c.google_maps_cost + c.facebook_cost + c.linkedin_enrichment_cost + c.bouncer_verification_cost + v_cost
     > 99999999.999999 THEN
    RAISE EXCEPTION 'p_cost_data.cost_usd would take the campaign''s total past 99999999.999999 USD'
      USING ERRCODE = '22023';
  END IF;

  INSERT INTO gmaps_api_costs (campaign_id, service, items_processed, cost_usd, metadata, incurred_at, created_at)
  VALUES (c.id, v_service, coalesce((v_data ->> 'items_processed')::numeric::integer, 0), v_cost,
          ls_json(v_data, 'metadata'), ls_now(), ls_now())
  RETURNING id INTO v_cost_id;

  UPDATE gmaps_campaigns
     SET google_maps_cost = google_maps_cost + CASE WHEN v_service = 'google_maps' THEN v_cost ELSE 0 END,
         facebook_cost = facebook_cost + CASE WHEN v_service = 'facebook' THEN v_cost ELSE 0 END,
         linkedin_enrichment_cost = linkedin_enrichment_cost + CASE WHEN v_service = 'linkedin' THEN v_cost ELSE 0 END,
         bouncer_verification_cost = bouncer_verification_cost + CASE WHEN v_service = 'bouncer' THEN v_cost ELSE 0 END,
         actual_cost = google_maps_cost + facebook_cost + linkedin_enrichment_cost + bouncer_verification_cost + v_cost,
         updated_at = ls_now()
   WHERE id = c.id
  RETURNING CASE v_service WHEN 'google_maps' THEN google_maps_cost WHEN 'facebook' THEN facebook_cost
                           WHEN 'linkedin' THEN linkedin_enrichment_cost ELSE bouncer_verification_cost END,
            actual_cost
       INTO v_service_cost, v_actual;

  RETURN jsonb_build_object('cost_id', v_cost_id, 'campaign_id', c.id, 'service', v_service,
                            'service_cost', ls_money(v_service_cost), 'actual_cost', ls_money(v_actual));
END
$$;

/*--- update_campaign_statistics_tx (SPEC §6, §7.10) ---------------------------------------------------*/

CREATE OR REPLACE FUNCTION ls_op_update_campaign_statistics_tx(p jsonb, p_org uuid) RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
  c gmaps_campaigns := ls_campaign((p ->> 'p_campaign_id')::uuid, p_org, true);
  n record;
  v_drift boolean;
BEGIN
  -- the recount of sql/sqlite/queries.sql (campaign_recount): one pass over the campaign's
  -- businesses, one over its coverage; email_source <> 'not_found' is email IS NOT NULL by
  -- the table's CHECK.  The lead and coverage totals of get_campaign (0009) and the queues (0010) are counters
  -- of the same kind and are recounted with them.
  SELECT b.businesses, b.emails,
         (SELECT count(*) FROM gmaps_facebook_enrichments f WHERE f.campaign_id = c.id AND f.success) AS facebook,
         (SELECT count(*) FROM gmaps_linkedin_enrichments l
           WHERE l.campaign_id = c.id AND l.linkedin_url IS NOT NULL) AS linkedin,
         b.verified, v.zips, v.zips_scraped, b.by_linkedin, b.by_facebook, b.by_google_maps, b.safe,
         v.found, v.found_emails, b.facebook_queue, b.linkedin_queue, b.verification_queue
    INTO n
    FROM (SELECT count(*) AS businesses, count(*) FILTER (WHERE email_source <> 'not_found') AS emails,
                 count(*) FILTER (WHERE email_source <> 'not_found' AND email_verified
                                    AND bouncer_status = ls_verified_status()) AS verified,
                 count(*) FILTER (WHERE email_source = 'linkedin') AS by_linkedin,
                 count(*) FILTER (WHERE email_source = 'facebook') AS by_facebook,
                 count(*) FILTER (WHERE email_source = 'google_maps') AS by_google_maps,
                 count(*) FILTER (WHERE email_source <> 'not_found' AND email_verified AND is_safe) AS safe,
                 count(*) FILTER (WHERE ls_queue_facebook(x)) AS facebook_queue,
                 count(*) FILTER (WHERE ls_queue_linkedin(x)) AS linkedin_queue,
                 count(*) FILTER (WHERE ls_queue_verification(x)) AS verification_queue
            FROM gmaps_businesses x WHERE campaign_id = c.id) b,
         (SELECT count(*) AS zips, count(*) FILTER (WHERE scraped) AS zips_scraped,
                 coalesce(sum(businesses_found), 0) AS found, coalesce(sum(emails_found), 0) AS found_emails
            FROM gmaps_campaign_coverage WHERE campaign_id = c.id) v;

  v_drift := (c.total_businesses_found, c.total_emails_found, c.total_facebook_pages_found,
              c.total_linkedin_profiles_found, c.total_verified_emails, c.actual_zip_count, c.zips_scraped,
              c.linkedin_emails, c.facebook_emails, c.google_maps_emails, c.total_safe_emails,
              c.zip_businesses_found, c.zip_emails_found, c.facebook_queue, c.linkedin_queue, c.verification_queue)
             IS DISTINCT FROM (n.businesses::integer, n.emails::integer, n.facebook::integer, n.linkedin::integer,
                               n.verified::integer, n.zips::integer, n.zips_scraped::integer,
                               n.by_linkedin::integer, n.by_facebook::integer, n.by_google_maps::integer,
                               n.safe::integer, n.found::bigint, n.found_emails::bigint,
                               n.facebook_queue::integer, n.linkedin_queue::integer, n.verification_queue::integer);
  IF v_drift THEN
    UPDATE gmaps_campaigns
       SET total_businesses_found = n.businesses, total_emails_found = n.emails,
           total_facebook_pages_found = n.facebook, total_linkedin_profiles_found = n.linkedin,
           total_verified_emails = n.verified, actual_zip_count = n.zips, zips_scraped = n.zips_scraped,
           linkedin_emails = n.by_linkedin, facebook_emails = n.by_facebook, google_maps_emails = n.by_google_maps,
           total_safe_emails = n.safe, zip_businesses_found = n.found, zip_emails_found = n.found_emails,
           facebook_queue = n.facebook_queue, linkedin_queue = n.linkedin_queue,
           verification_queue = n.verification_queue, updated_at = ls_now()
     WHERE id = c.id;
  END IF;

  RETURN jsonb_build_object(
    'campaign_id', c.id,
    'statistics', jsonb_build_object('total_businesses', n.businesses, 'total_emails', n.emails,
                                     'total_facebook', n.facebook, 'total_linkedin', n.linkedin,
                                     'total_verified', n.verified, 'zips_total', n.zips,
                                     'zips_scraped', n.zips_scraped),
    'drift_corrected', v_drift);
END
$$;

/*--- get_campaign (SPEC §7.11) ---------------------------------------------------------------------------*/

-- STABLE, and the campaign is looked up here rather than through the
-- (volatile) ls_campaign.  The coverage totals and the leads are counters of
-- the row (0009): one point read, whatever the campaign's size.
CREATE OR REPLACE FUNCTION ls_op_get_campaign(p jsonb, p_org uuid) RETURNS jsonb
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  v_id uuid := (p ->> 'p_campaign_id')::uuid;
  c gmaps_campaigns;
BEGIN
  SELECT * INTO c FROM gmaps_campaigns WHERE id = v_id AND (p_org IS NULL OR organization_id = p_org);
  IF NOT FOUND THEN
    RAISE EXCEPTION 'Campaign % not found', v_id USING ERRCODE = 'P0002';
  END IF;
  RETURN jsonb_build_object(
    'campaign', ls_campaign_json(c),
    'coverage', jsonb_build_object('zips_total', c.actual_zip_count, 'zips_scraped', c.zips_scraped,
                                   'businesses_found', c.zip_businesses_found, 'emails_found', c.zip_emails_found),
    'leads', jsonb_build_object('by_source', jsonb_build_object('linkedin', c.linkedin_emails,
                                                                'facebook', c.facebook_emails,
                                                                'google_maps', c.google_maps_emails),
                                'safe', c.total_safe_emails));
END
$$;

/*--- list_campaigns (SPEC §7.12) -----------------------------------------------------------------------------*/

CREATE OR REPLACE FUNCTION ls_op_list_campaigns(p jsonb, p_org uuid) RETURNS jsonb
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  v_status text := p ->> 'p_status';
  v_limit integer := coalesce((p ->> 'p_limit')::numeric::integer, 100);
  v_offset integer := coalesce((p ->> 'p_offset')::numeric::integer, 0);
  v_list jsonb;
  v_total bigint;
BEGIN
  SELECT coalesce(jsonb_agg(ls_campaign_json(x.r) ORDER BY x.created_at DESC, x.id DESC), '[]'::jsonb)
    INTO v_list
    FROM (SELECT c AS r, c.created_at, c.id FROM gmaps_campaigns c
           WHERE (v_status IS NULL OR c.status = v_status) AND (p_org IS NULL OR c.organization_id = p_org)
           ORDER BY c.created_at DESC, c.id DESC
           LIMIT v_limit OFFSET v_offset) x;

  SELECT count(*) INTO v_total FROM gmaps_campaigns c
   WHERE (v_status IS NULL OR c.status = v_status) AND (p_org IS NULL OR c.organization_id = p_org);

  RETURN jsonb_build_object('campaigns', v_list, 'total', v_total);
END
$$;

