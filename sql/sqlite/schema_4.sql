-- schema_4.sql — schema version 4 of the embedded engine: the number of
-- businesses waiting in each work queue of get_businesses_for_enrichment
-- kept as counters on the campaign row, so that the queue read answers its
-- `total` without counting the campaign's businesses (its cost no longer
-- grows with the queue).
--
--   facebook_queue       businesses with needs_enrichment and enrichment_status 'pending'
--   linkedin_queue       businesses not linkedin_enriched
--   verification_queue   businesses with an email not email_verified
--
-- The same membership as the partial indexes idx_businesses_*_queue
-- (schema.sql) that the queue read walks.  Maintained, like the counters of
-- SPEC §6, by every operation that changes what they count (ls__sq_biz_count,
-- email.c), recounted by update_campaign_statistics_tx and proven by
-- `leadstore check`.  Applied after schema_3.sql, in the same transaction as
-- the check of PRAGMA user_version (engine.c); an existing file's campaigns
-- are backfilled from a recount here.

ALTER TABLE gmaps_campaigns ADD COLUMN facebook_queue INTEGER NOT NULL DEFAULT 0;
ALTER TABLE gmaps_campaigns ADD COLUMN linkedin_queue INTEGER NOT NULL DEFAULT 0;
ALTER TABLE gmaps_campaigns ADD COLUMN verification_queue INTEGER NOT NULL DEFAULT 0;

UPDATE gmaps_campaigns
   SET facebook_queue = (SELECT count(*) FROM gmaps_businesses b WHERE b.campaign_id = gmaps_campaigns.id
                            AND b.needs_enrichment = 1 AND b.enrichment_status = 'pending'),
       linkedin_queue = (SELECT count(*) FROM gmaps_businesses b WHERE b.campaign_id = gmaps_campaigns.id
                            AND b.linkedin_enriched = 0),
       verification_queue = (SELECT count(*) FROM gmaps_businesses b WHERE b.campaign_id = gmaps_campaigns.id
                                AND b.email IS NOT NULL AND b.email_verified = 0);

PRAGMA user_version = 4;
