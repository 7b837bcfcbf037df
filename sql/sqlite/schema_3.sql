-- schema_3.sql — schema version 3 of the embedded engine: the campaign's
-- lead and coverage totals kept as counters on its row, so that get_campaign
-- reads them instead of recounting the campaign's businesses and coverage
-- rows (its cost no longer grows with the campaign).
--
--   linkedin_emails, facebook_emails, google_maps_emails
--                          businesses whose current email came from that source
--   total_safe_emails      businesses with an email, verified and is_safe
--   zips_scraped           coverage rows with scraped = 1
--   zip_businesses_found   the sum of the coverage rows' businesses_found
--   zip_emails_found       the sum of the coverage rows' emails_found
--
-- Maintained, like the counters of SPEC §6, by every operation that changes
-- what they count (email.c, coverage.c), recounted by
-- update_campaign_statistics_tx and proven by `leadstore check`.  Applied
-- after schema_2.sql, in the same transaction as the check of PRAGMA
-- user_version (engine.c); an existing file's campaigns are backfilled from
-- a recount here.

ALTER TABLE gmaps_campaigns ADD COLUMN linkedin_emails INTEGER NOT NULL DEFAULT 0;
ALTER TABLE gmaps_campaigns ADD COLUMN facebook_emails INTEGER NOT NULL DEFAULT 0;
ALTER TABLE gmaps_campaigns ADD COLUMN google_maps_emails INTEGER NOT NULL DEFAULT 0;
ALTER TABLE gmaps_campaigns ADD COLUMN total_safe_emails INTEGER NOT NULL DEFAULT 0;
ALTER TABLE gmaps_campaigns ADD COLUMN zips_scraped INTEGER NOT NULL DEFAULT 0;
ALTER TABLE gmaps_campaigns ADD COLUMN zip_businesses_found INTEGER NOT NULL DEFAULT 0;
ALTER TABLE gmaps_campaigns ADD COLUMN zip_emails_found INTEGER NOT NULL DEFAULT 0;

UPDATE gmaps_campaigns
   SET linkedin_emails = (SELECT count(*) FROM gmaps_businesses b
                           WHERE b.campaign_id = gmaps_campaigns.id AND b.email_source = 'linkedin'),
       facebook_emails = (SELECT count(*) FROM gmaps_businesses b
                           WHERE b.campaign_id = gmaps_campaigns.id AND b.email_source = 'facebook'),
       google_maps_emails = (SELECT count(*) FROM gmaps_businesses b
                              WHERE b.campaign_id = gmaps_campaigns.id AND b.email_source = 'google_maps'),
       total_safe_emails = (SELECT count(*) FROM gmaps_businesses b
                             WHERE b.campaign_id = gmaps_campaigns.id AND b.email_source <> 'not_found'
                               AND b.email_verified = 1 AND b.is_safe = 1),
       zips_scraped = (SELECT count(*) FROM gmaps_campaign_coverage v
                        WHERE v.campaign_id = gmaps_campaigns.id AND v.scraped = 1),
       zip_businesses_found = (SELECT coalesce(sum(v.businesses_found), 0) FROM gmaps_campaign_coverage v
                                WHERE v.campaign_id = gmaps_campaigns.id),
       zip_emails_found = (SELECT coalesce(sum(v.emails_found), 0) FROM gmaps_campaign_coverage v
                            WHERE v.campaign_id = gmaps_campaigns.id);

PRAGMA user_version = 3;
