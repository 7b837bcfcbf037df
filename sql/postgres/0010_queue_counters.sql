-- 0010_queue_counters.sql — the number of businesses waiting in each work queue
-- of get_businesses_for_enrichment kept as counters on the campaign row (the
-- embedded engine's sql/sqlite/schema_4.sql), so that the queue read answers
-- its `total` without counting the campaign's businesses (its cost no longer
-- grows with the queue):
--
--   facebook_queue       businesses in ls_queue_facebook (needs_enrichment, 'pending')
--   linkedin_queue       businesses in ls_queue_linkedin (not linkedin_enriched)
--   verification_queue   businesses in ls_queue_verification (an email, not email_verified)
--
-- Maintained, like the counters of SPEC §6, by every operation that changes
-- what they count (0005: ls_leads_counters_move and the batch's deltas),
-- recounted by update_campaign_statistics_tx (0004) and proven by ls_check()
-- (0006).  The functions that name these columns are plpgsql, whose bodies are
-- resolved when they run: the repeatable files before this one (which define
-- ls_queue_*) are re-applied before it on an upgrade.  A database of an
-- earlier release is backfilled here from a recount.

ALTER TABLE gmaps_campaigns
  ADD COLUMN facebook_queue integer NOT NULL DEFAULT 0,
  ADD COLUMN linkedin_queue integer NOT NULL DEFAULT 0,
  ADD COLUMN verification_queue integer NOT NULL DEFAULT 0;

UPDATE gmaps_campaigns c
   SET facebook_queue = q.facebook, linkedin_queue = q.linkedin, verification_queue = q.verification
  FROM gmaps_campaigns x
 CROSS JOIN LATERAL (
       SELECT count(*) FILTER (WHERE ls_queue_facebook(b)) AS facebook,
              count(*) FILTER (WHERE ls_queue_linkedin(b)) AS linkedin,
              count(*) FILTER (WHERE ls_queue_verification(b)) AS verification
         FROM gmaps_businesses b WHERE b.campaign_id = x.id) q
 WHERE c.id = x.id;
