-- leadstore:repeatable
-- 0006_check_and_grants.sql — `leadstore check` on PostgreSQL (the
-- invariants of SPEC §8, one query each, as the embedded engine runs them),
-- and who may execute and read what: the operation functions to authenticated
-- and service_role only, never to PUBLIC or anon; the internal ls_* functions
-- to nobody but their owner, except ls_caller_org(), which the read policies
-- of 0008 evaluate as the reader; SELECT on the tables of the data model to
-- authenticated and service_role (the rows each sees: 0008), and no table
-- write to any client role — writes go through the functions.

-- One row per violation: (invariant, campaign_id, detail).  plpgsql, so that the
-- counters of 0009 are resolved when it runs (a repeatable file is re-applied before
-- 0009 on an upgrade); the query's names are the tables' columns.
CREATE OR REPLACE FUNCTION ls_check() RETURNS TABLE (invariant integer, campaign_id uuid, detail text)
LANGUAGE plpgsql STABLE
AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  -- 1. no orphans
  SELECT 1, x.campaign_id, 'coverage row ' || x.id || ' has no campaign' FROM gmaps_campaign_coverage x
   WHERE NOT EXISTS (SELECT 1 FROM gmaps_campaigns c WHERE c.id = x.campaign_id)
  UNION ALL
  SELECT 1, x.campaign_id, 'business ' || x.id || ' has no campaign' FROM gmaps_businesses x
   WHERE NOT EXISTS (SELECT 1 FROM gmaps_campaigns c WHERE c.id = x.campaign_id)
  UNION ALL
  SELECT 1, x.campaign_id, 'facebook enrichment ' || x.id || ' has no business in its campaign'
    FROM gmaps_facebook_enrichments x
   WHERE NOT EXISTS (SELECT 1 FROM gmaps_businesses b WHERE b.id = x.business_id AND b.campaign_id = x.campaign_id)
  UNION ALL
  SELECT 1, x.campaign_id, 'linkedin enrichment ' || x.id || ' has no business in its campaign'
    FROM gmaps_linkedin_enrichments x
   WHERE NOT EXISTS (SELECT 1 FROM gmaps_businesses b WHERE b.id = x.business_id AND b.campaign_id = x.campaign_id)
  UNION ALL
  SELECT 1, x.campaign_id, 'verification ' || x.id || ' has no business in its campaign' FROM gmaps_email_verifications x
   WHERE NOT EXISTS (SELECT 1 FROM gmaps_businesses b WHERE b.id = x.business_id AND b.campaign_id = x.campaign_id)
      OR (x.facebook_enrichment_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM gmaps_facebook_enrichments f
           WHERE f.id = x.facebook_enrichment_id AND f.business_id = x.business_id AND f.campaign_id = x.campaign_id))
      OR (x.linkedin_enrichment_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM gmaps_linkedin_enrichments l
           WHERE l.id = x.linkedin_enrichment_id AND l.business_id = x.business_id AND l.campaign_id = x.campaign_id))
  UNION ALL
  SELECT 1, x.campaign_id, 'cost ' || x.id || ' has no campaign' FROM gmaps_api_costs x
   WHERE NOT EXISTS (SELECT 1 FROM gmaps_campaigns c WHERE c.id = x.campaign_id)
  UNION ALL
  SELECT 1, x.campaign_id, 'status history ' || x.id || ' has no campaign' FROM gmaps_campaign_status_history x
   WHERE NOT EXISTS (SELECT 1 FROM gmaps_campaigns c WHERE c.id = x.campaign_id)
  UNION ALL
  -- 2. every counter equals its recount
  SELECT 2, id, format('%s is %s, recount %s', counter, stored, actual) FROM (
    SELECT c.id, v.counter, v.stored, v.actual FROM gmaps_campaigns c CROSS JOIN LATERAL (VALUES
      ('total_businesses_found', c.total_businesses_found,
       (SELECT count(*) FROM gmaps_businesses b WHERE b.campaign_id = c.id)),
      ('total_emails_found', c.total_emails_found,
       (SELECT count(*) FROM gmaps_businesses b WHERE b.campaign_id = c.id AND b.email IS NOT NULL)),
      ('total_facebook_pages_found', c.total_facebook_pages_found,
       (SELECT count(*) FROM gmaps_facebook_enrichments f WHERE f.campaign_id = c.id AND f.success)),
      ('total_linkedin_profiles_found', c.total_linkedin_profiles_found,
       (SELECT count(*) FROM gmaps_linkedin_enrichments l WHERE l.campaign_id = c.id AND l.linkedin_url IS NOT NULL)),
      ('total_verified_emails', c.total_verified_emails,
       (SELECT count(*) FROM gmaps_businesses b WHERE b.campaign_id = c.id AND b.email IS NOT NULL
           AND b.email_verified AND b.bouncer_status = ls_verified_status())),
      ('actual_zip_count', c.actual_zip_count,
       (SELECT count(*) FROM gmaps_campaign_coverage v WHERE v.campaign_id = c.id)),
      ('zips_scraped', c.zips_scraped,
       (SELECT count(*) FROM gmaps_campaign_coverage v WHERE v.campaign_id = c.id AND v.scraped)),
      ('zip_businesses_found', c.zip_businesses_found,
       (SELECT coalesce(sum(v.businesses_found), 0) FROM gmaps_campaign_coverage v WHERE v.campaign_id = c.id)),
      ('zip_emails_found', c.zip_emails_found,
       (SELECT coalesce(sum(v.emails_found), 0) FROM gmaps_campaign_coverage v WHERE v.campaign_id = c.id)),
      ('linkedin_emails', c.linkedin_emails,
       (SELECT count(*) FROM gmaps_businesses b WHERE b.campaign_id = c.id AND b.email_source = 'linkedin')),
      ('facebook_emails', c.facebook_emails,
       (SELECT count(*) FROM gmaps_businesses b WHERE b.campaign_id = c.id AND b.email_source = 'facebook')),
      ('google_maps_emails', c.google_maps_emails,
       (SELECT count(*) FROM gmaps_businesses b WHERE b.campaign_id = c.id AND b.email_source = 'google_maps')),
      ('total_safe_emails', c.total_safe_emails,
       (SELECT count(*) FROM gmaps_businesses b WHERE b.campaign_id = c.id AND b.email IS NOT NULL
           AND b.email_verified AND b.is_safe)),
      ('facebook_queue', c.facebook_queue,
       (SELECT count(*) FROM gmaps_businesses b WHERE b.campaign_id = c.id AND ls_queue_facebook(b))),
      ('linkedin_queue', c.linkedin_queue,
       (SELECT count(*) FROM gmaps_businesses b WHERE b.campaign_id = c.id AND ls_queue_linkedin(b))),
      ('verification_queue', c.verification_queue,
       (SELECT count(*) FROM gmaps_businesses b WHERE b.campaign_id = c.id AND ls_queue_verification(b))))
      AS v(counter, stored, actual)
  ) counts WHERE stored <> actual
  UNION ALL
  -- 3. every service cost equals the sum of its cost rows; actual_cost the sum of the four
  SELECT 3, id, format('%s is %s, its cost rows sum to %s', name, stored, actual) FROM (
    SELECT c.id, v.name, v.stored, v.actual FROM gmaps_campaigns c CROSS JOIN LATERAL (VALUES
      ('google_maps_cost', c.google_maps_cost,
       (SELECT coalesce(sum(cost_usd), 0) FROM gmaps_api_costs a WHERE a.campaign_id = c.id AND a.service = 'google_maps')),
      ('facebook_cost', c.facebook_cost,
       (SELECT coalesce(sum(cost_usd), 0) FROM gmaps_api_costs a WHERE a.campaign_id = c.id AND a.service = 'facebook')),
      ('linkedin_enrichment_cost', c.linkedin_enrichment_cost,
       (SELECT coalesce(sum(cost_usd), 0) FROM gmaps_api_costs a WHERE a.campaign_id = c.id AND a.service = 'linkedin')),
      ('bouncer_verification_cost', c.bouncer_verification_cost,
       (SELECT coalesce(sum(cost_usd), 0) FROM gmaps_api_costs a WHERE a.campaign_id = c.id AND a.service = 'bouncer')),
      ('actual_cost', c.actual_cost,
       c.google_maps_cost + c.facebook_cost + c.linkedin_enrichment_cost + c.bouncer_verification_cost)) AS v(name, stored, actual)
  ) sums WHERE stored <> actual
  UNION ALL
  -- 4. email_source: one of four, not_found exactly without an email, never below the best source
  SELECT 4, b.campaign_id, 'business ' || b.id || ' has email_source ' || b.email_source || CASE
           WHEN b.email_source <> ALL (ls_values('email_source')) THEN ', not one of the four'
           WHEN (b.email IS NULL) <> (b.email_source = 'not_found') THEN ' with email ' || coalesce(b.email, 'NULL')
           ELSE ' below the best source that supplied a well-formed email (' || best.source || ')' END
    FROM gmaps_businesses b CROSS JOIN LATERAL (SELECT CASE
           WHEN EXISTS (SELECT 1 FROM gmaps_linkedin_enrichments l WHERE l.business_id = b.id AND
                          (ls_email_clean(l.primary_email) IS NOT NULL
                           OR EXISTS (SELECT 1 FROM unnest(l.emails_found) e WHERE ls_email_clean(e) IS NOT NULL)))
           THEN 'linkedin'
           WHEN EXISTS (SELECT 1 FROM gmaps_facebook_enrichments f WHERE f.business_id = b.id AND
                          (ls_email_clean(f.primary_email) IS NOT NULL
                           OR EXISTS (SELECT 1 FROM unnest(f.emails) e WHERE ls_email_clean(e) IS NOT NULL)))
           THEN 'facebook' ELSE 'not_found' END AS source) best
   WHERE b.email_source <> ALL (ls_values('email_source'))
      OR (b.email IS NULL) <> (b.email_source = 'not_found')
      OR ls_source_rank(b.email_source) < ls_source_rank(best.source)
  UNION ALL
  -- 5. status = the last history row; started_at iff it ever ran; completed_at iff terminal
  SELECT 5, c.id, 'status ' || c.status || CASE
           WHEN h.new_status IS DISTINCT FROM c.status THEN ' but the last history row says ' || coalesce(h.new_status, 'nothing')
           WHEN (c.started_at IS NOT NULL) <> EXISTS (SELECT 1 FROM gmaps_campaign_status_history r
                                                      WHERE r.campaign_id = c.id AND ls_status_started(r.new_status))
             THEN ' with started_at ' || coalesce(ls_ts(c.started_at), 'NULL') || ' disagreeing with its history'
           ELSE ' with completed_at ' || coalesce(ls_ts(c.completed_at), 'NULL') END
    FROM gmaps_campaigns c
    LEFT JOIN LATERAL (SELECT new_status FROM gmaps_campaign_status_history m
                        WHERE m.campaign_id = c.id ORDER BY seq DESC LIMIT 1) h ON true
   WHERE h.new_status IS DISTINCT FROM c.status
      OR (c.started_at IS NOT NULL) <> EXISTS (SELECT 1 FROM gmaps_campaign_status_history r
                                               WHERE r.campaign_id = c.id AND ls_status_started(r.new_status))
      OR (c.completed_at IS NOT NULL) <> ls_status_terminal(c.status)
  UNION ALL
  -- 6. no duplicate place or ZIP within a campaign
  SELECT 6, x.campaign_id, 'place_id ' || x.place_id || ' appears ' || count(*) || ' times' FROM gmaps_businesses x
   GROUP BY x.campaign_id, x.place_id HAVING count(*) > 1
  UNION ALL
  SELECT 6, x.campaign_id, 'ZIP ' || x.zip_code || ' appears ' || count(*) || ' times' FROM gmaps_campaign_coverage x
   GROUP BY x.campaign_id, x.zip_code HAVING count(*) > 1;
END
$$;

-- What the check looked at.
CREATE OR REPLACE FUNCTION ls_check_totals() RETURNS TABLE (name text, rows bigint)
LANGUAGE sql STABLE
AS $$
  VALUES ('campaigns', (SELECT count(*) FROM gmaps_campaigns)),
         ('coverage', (SELECT count(*) FROM gmaps_campaign_coverage)),
         ('businesses', (SELECT count(*) FROM gmaps_businesses)),
         ('facebook_enrichments', (SELECT count(*) FROM gmaps_facebook_enrichments)),
         ('linkedin_enrichments', (SELECT count(*) FROM gmaps_linkedin_enrichments)),
         ('costs', (SELECT count(*) FROM gmaps_api_costs)),
         ('verifications', (SELECT count(*) FROM gmaps_email_verifications)),
         ('status_history', (SELECT count(*) FROM gmaps_campaign_status_history))
$$;

-- Grants: every leadstore function is first taken from PUBLIC, anon,
-- authenticated and service_role; the operations are then given back to
-- authenticated and service_role, and ls_caller_org() to authenticated (the
-- read policies call it).  Every table is taken from them too (a Supabase
-- project's default privileges give anon, authenticated and service_role
-- everything on a new table, ls_operations and leadstore_migrations
-- included); the gmaps_* tables are then readable by authenticated and
-- service_role — which rows, the policies of 0008 decide.
-- `leadstore migrate` runs it again after every migration it applies, so a
-- function or table added later is covered too.
CREATE OR REPLACE FUNCTION ls_apply_grants() RETURNS void
LANGUAGE plpgsql
AS $grants$
DECLARE
  f regprocedure;
  t regclass;
BEGIN
  FOR t IN SELECT c.oid::regclass FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
              AND (c.relname LIKE 'gmaps\_%' OR c.relname IN ('ls_operations', 'leadstore_migrations'))
  LOOP
    EXECUTE format('REVOKE ALL ON TABLE %s FROM PUBLIC, anon, authenticated, service_role', t);
  END LOOP;
  FOR t IN SELECT c.oid::regclass FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname LIKE 'gmaps\_%'
  LOOP
    EXECUTE format('GRANT SELECT ON TABLE %s TO authenticated, service_role', t);
  END LOOP;
  FOR f IN SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = 'public' AND (p.proname LIKE 'ls\_%' OR p.proname IN (SELECT name FROM ls_operations))
  LOOP
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC, anon, authenticated, service_role', f);
  END LOOP;
  FOR f IN SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = 'public' AND p.proname IN (SELECT name FROM ls_operations)
  LOOP
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO authenticated, service_role', f);
  END LOOP;
  GRANT EXECUTE ON FUNCTION ls_caller_org() TO authenticated;
END
$grants$;

SELECT ls_apply_grants();
