-- leadstore:repeatable
-- 0012_restore.sql — restore_campaign_tx on PostgreSQL, the counterpart of the
-- embedded engine's src/sqlite/restore.c: a whole campaign as `leadstore export
-- campaign` writes it (the rows as the reads print them), inserted with its own
-- ids, timestamps, counters and totals, all or nothing.
--
-- The parameters have been validated against the operations table by ls_run
-- (every column's type, range and value list), so each list becomes its table's
-- rows by jsonb_populate_recordset: one INSERT per table, in the order of the
-- foreign keys.  Nothing is recounted: after the inserts every invariant of
-- ls_check() (0006) is run and the first violation of the restored campaign
-- refuses the call (22023) — the exception of ls_run's block undoes every row.

CREATE OR REPLACE FUNCTION ls_op_restore_campaign_tx(p jsonb, p_org uuid) RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
  v_campaign jsonb := p -> 'p_campaign';
  v_id uuid := (v_campaign ->> 'id')::uuid;
  v_org uuid := (v_campaign ->> 'organization_id')::uuid;
  v_param text;
  v_bad record;
  v_counts jsonb := '{}'::jsonb;
BEGIN
  IF p_org IS NOT NULL AND v_org IS NOT NULL AND v_org <> p_org THEN
    RAISE EXCEPTION 'p_campaign.organization_id must be the caller''s own organization' USING ERRCODE = '22023';
  END IF;
  IF p_org IS NOT NULL THEN
    v_campaign := jsonb_set(v_campaign, '{organization_id}', to_jsonb(p_org));
  END IF;
  -- a list not given is empty (the public function passes it as JSON null)
  FOREACH v_param IN ARRAY ARRAY['p_coverage', 'p_businesses', 'p_facebook_enrichments', 'p_linkedin_enrichments',
                                 'p_verifications', 'p_costs', 'p_status_history'] LOOP
    IF jsonb_typeof(p -> v_param) IS DISTINCT FROM 'array' THEN
      p := p || jsonb_build_object(v_param, '[]'::jsonb);
    END IF;
  END LOOP;
  IF EXISTS (SELECT 1 FROM gmaps_campaigns WHERE id = v_id) THEN
    RAISE EXCEPTION 'Campaign % already exists', v_id USING ERRCODE = '23505';
  END IF;
  -- every row names the campaign it belongs to: the restored one
  FOREACH v_param IN ARRAY ARRAY['p_coverage', 'p_businesses', 'p_facebook_enrichments', 'p_linkedin_enrichments',
                                 'p_verifications', 'p_costs'] LOOP
    SELECT e.ord - 1 AS i, e.x ->> 'campaign_id' AS cid INTO v_bad
      FROM jsonb_array_elements(p -> v_param) WITH ORDINALITY AS e(x, ord)
     WHERE (e.x ->> 'campaign_id')::uuid <> v_id
     ORDER BY e.ord LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION '%[%].campaign_id is not p_campaign.id: %', v_param, v_bad.i, v_bad.cid USING ERRCODE = '22023';
    END IF;
    v_counts := v_counts || jsonb_build_object(substr(v_param, 3), jsonb_array_length(p -> v_param));
  END LOOP;

  INSERT INTO gmaps_campaigns SELECT * FROM jsonb_populate_record(NULL::gmaps_campaigns, v_campaign);
  INSERT INTO gmaps_campaign_coverage
  SELECT * FROM jsonb_populate_recordset(NULL::gmaps_campaign_coverage, p -> 'p_coverage');
  INSERT INTO gmaps_businesses
  SELECT * FROM jsonb_populate_recordset(NULL::gmaps_businesses, p -> 'p_businesses');
  INSERT INTO gmaps_facebook_enrichments
  SELECT * FROM jsonb_populate_recordset(NULL::gmaps_facebook_enrichments, p -> 'p_facebook_enrichments');
  INSERT INTO gmaps_linkedin_enrichments
  SELECT * FROM jsonb_populate_recordset(NULL::gmaps_linkedin_enrichments, p -> 'p_linkedin_enrichments');
  INSERT INTO gmaps_email_verifications
  SELECT * FROM jsonb_populate_recordset(NULL::gmaps_email_verifications, p -> 'p_verifications');
  INSERT INTO gmaps_api_costs
  SELECT * FROM jsonb_populate_recordset(NULL::gmaps_api_costs, p -> 'p_costs');
  INSERT INTO gmaps_campaign_status_history (campaign_id, seq, old_status, new_status, metadata, changed_at)
  SELECT v_id, e.ord, e.x ->> 'old_status', e.x ->> 'new_status', ls_json(e.x, 'metadata'),
         (e.x ->> 'changed_at')::timestamptz
    FROM jsonb_array_elements(p -> 'p_status_history') WITH ORDINALITY AS e(x, ord)
   ORDER BY e.ord;

  SELECT c.invariant, c.detail INTO v_bad FROM ls_check() c WHERE c.campaign_id = v_id ORDER BY c.invariant LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'the restored campaign breaks invariant %: %', v_bad.invariant, v_bad.detail USING ERRCODE = '22023';
  END IF;
  RETURN v_counts || jsonb_build_object('campaign_id', v_id,
                                        'status_history', jsonb_array_length(p -> 'p_status_history'));
END
$$;
