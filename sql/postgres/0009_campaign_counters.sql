-- 0009_campaign_counters.sql — the campaign's lead and coverage totals kept
-- as counters on its row (the embedded engine's sql/sqlite/schema_3.sql), so
-- that get_campaign reads them instead of recounting the campaign's
-- businesses and coverage rows (its cost no longer grows with the campaign):
--
--   linkedin_emails, facebook_emails, google_maps_emails
--                          businesses whose current email came from that source
--   total_safe_emails      businesses with an email, verified and is_safe
--   zips_scraped           coverage rows with scraped
--   zip_businesses_found   the sum of the coverage rows' businesses_found
--   zip_emails_found       the sum of the coverage rows' emails_found
--
-- Maintained, like the counters of SPEC §6, by every operation that changes
-- what they count (0004, 0005), recounted by update_campaign_statistics_tx
-- and proven by ls_check() (0006).  The functions that name these columns are
-- plpgsql, whose bodies are resolved when they run: the repeatable files
-- before this one are re-applied before it on an upgrade.  A database of an
-- earlier release is backfilled here from a recount.

ALTER TABLE gmaps_campaigns
  ADD COLUMN linkedin_emails integer NOT NULL DEFAULT 0,
  ADD COLUMN facebook_emails integer NOT NULL DEFAULT 0,
  ADD COLUMN google_maps_emails integer NOT NULL DEFAULT 0,
  ADD COLUMN total_safe_emails integer NOT NULL DEFAULT 0,
  ADD COLUMN zips_scraped integer NOT NULL DEFAULT 0,
  ADD COLUMN zip_businesses_found bigint NOT NULL DEFAULT 0,
  ADD COLUMN zip_emails_found bigint NOT NULL DEFAULT 0;

UPDATE gmaps_campaigns c
   SET linkedin_emails = b.linkedin, facebook_emails = b.facebook, google_maps_emails = b.google_maps,
       total_safe_emails = b.safe, zips_scraped = v.scraped, zip_businesses_found = v.businesses,
       zip_emails_found = v.emails
  FROM gmaps_campaigns x
 CROSS JOIN LATERAL (
       SELECT count(*) FILTER (WHERE email_source = 'linkedin') AS linkedin,
              count(*) FILTER (WHERE email_source = 'facebook') AS facebook,
              count(*) FILTER (WHERE email_source = 'google_maps') AS google_maps,
              count(*) FILTER (WHERE email_source <> 'not_found' AND email_verified AND is_safe) AS safe
         FROM gmaps_businesses WHERE campaign_id = x.id) b
 CROSS JOIN LATERAL (
       SELECT count(*) FILTER (WHERE scraped) AS scraped, coalesce(sum(businesses_found), 0) AS businesses,
              coalesce(sum(emails_found), 0) AS emails
         FROM gmaps_campaign_coverage WHERE campaign_id = x.id) v
 WHERE c.id = x.id;
