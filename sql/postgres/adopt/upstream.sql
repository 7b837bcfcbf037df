-- upstream.sql — `leadstore adopt`: the upstream application's gmaps_*
-- tables turned, in place, into the schema of 0001_schema.sql.
--
-- One statement per `-- name:` block; src/pg/adopt.c runs them in this
-- order inside the one transaction of the adoption (after it took the
-- migration lock), prints each with the rows it touched (--dry-run rolls
-- back), then records 0001 as applied, applies the other migrations exactly
-- as `leadstore migrate` does, runs repair.sql and late.sql, and proves the
-- result with ls_check() before it commits.
--
-- The tables stay where they are (ALTER, never copy): every column the
-- upstream added (icebreaker, instantly_*, page_likes …), its indexes and
-- triggers stay too, and the legacy application can keep writing them after
-- `leadstore uninstall`.  Nothing is deleted: a row that cannot satisfy a
-- new constraint moves to leadstore_quarantine with the reason, as JSON.
-- The mapping of free-text values is documented in docs/adopting.md.

-- name: original_status
CREATE TEMPORARY TABLE ls_adopt_status ON COMMIT DROP AS SELECT id, status::text AS status FROM gmaps_campaigns

--- Keys: the upstream's foreign keys and global place_id uniqueness go; ---
--- leadstore's composite keys come back once every row fits them.      ---

-- name: drop_legacy_keys
DO $keys$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT x.conrelid::regclass AS t, x.conname FROM pg_constraint x
             JOIN pg_class c ON c.oid = x.conrelid
            WHERE c.relnamespace = 'public'::regnamespace AND c.relname LIKE 'gmaps\_%'
              AND (x.contype = 'f'
                   OR (x.contype = 'u' AND c.relname = 'gmaps_businesses'
                       AND x.conkey = ARRAY[(SELECT attnum FROM pg_attribute
                                              WHERE attrelid = c.oid AND attname = 'place_id')]))
  LOOP
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.t, r.conname);
  END LOOP;
  FOR r IN SELECT i.indexrelid::regclass AS ix FROM pg_index i
            WHERE i.indrelid = 'gmaps_businesses'::regclass AND i.indisunique AND NOT i.indisprimary
              AND i.indkey::int2[] = ARRAY[(SELECT attnum FROM pg_attribute
                                             WHERE attrelid = 'gmaps_businesses'::regclass AND attname = 'place_id')]
  LOOP
    EXECUTE format('DROP INDEX %s', r.ix);
  END LOOP;
END
$keys$

--- Tables the upstream may lack ----------------------------------------------------

-- name: create_email_verifications
CREATE TABLE IF NOT EXISTS gmaps_email_verifications (
  id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  business_id            uuid,
  facebook_enrichment_id uuid,
  linkedin_enrichment_id uuid,
  email                  text NOT NULL,
  source                 text,
  status                 text NOT NULL,
  score                  double precision,
  is_safe                boolean DEFAULT false,
  is_disposable          boolean,
  is_role_based          boolean,
  is_free_email          boolean,
  is_gibberish           boolean,
  domain                 text,
  provider               text,
  mx_records             boolean,
  smtp_check             boolean,
  reason                 text,
  suggestion             text,
  raw_response           jsonb,
  verified_at            timestamptz DEFAULT now(),
  created_at             timestamptz DEFAULT now()
)

--- Columns: every column of 0001 present (added first: ALTER TABLE changes the types of ---
--- a statement before it adds its columns), then with 0001's type                      ---

-- name: campaigns_columns
ALTER TABLE gmaps_campaigns
  ADD COLUMN IF NOT EXISTS description text, ADD COLUMN IF NOT EXISTS keywords text[],
  ADD COLUMN IF NOT EXISTS location text, ADD COLUMN IF NOT EXISTS coverage_profile text,
  ADD COLUMN IF NOT EXISTS custom_zip_codes text[], ADD COLUMN IF NOT EXISTS status text,
  ADD COLUMN IF NOT EXISTS target_zip_count integer, ADD COLUMN IF NOT EXISTS actual_zip_count integer,
  ADD COLUMN IF NOT EXISTS coverage_percentage double precision, ADD COLUMN IF NOT EXISTS estimated_cost numeric(14,6),
  ADD COLUMN IF NOT EXISTS google_maps_cost numeric(14,6), ADD COLUMN IF NOT EXISTS facebook_cost numeric(14,6),
  ADD COLUMN IF NOT EXISTS linkedin_enrichment_cost numeric(14,6),
  ADD COLUMN IF NOT EXISTS bouncer_verification_cost numeric(14,6), ADD COLUMN IF NOT EXISTS actual_cost numeric(14,6),
  ADD COLUMN IF NOT EXISTS total_businesses_found integer, ADD COLUMN IF NOT EXISTS total_emails_found integer,
  ADD COLUMN IF NOT EXISTS total_facebook_pages_found integer,
  ADD COLUMN IF NOT EXISTS total_linkedin_profiles_found integer,
  ADD COLUMN IF NOT EXISTS total_verified_emails integer, ADD COLUMN IF NOT EXISTS organization_id uuid,
  ADD COLUMN IF NOT EXISTS created_by text, ADD COLUMN IF NOT EXISTS started_at timestamptz,
  ADD COLUMN IF NOT EXISTS completed_at timestamptz, ADD COLUMN IF NOT EXISTS created_at timestamptz,
  ADD COLUMN IF NOT EXISTS updated_at timestamptz

-- name: campaigns_types
ALTER TABLE gmaps_campaigns
  ALTER COLUMN name TYPE text, ALTER COLUMN location TYPE text, ALTER COLUMN coverage_profile TYPE text,
  ALTER COLUMN status TYPE text, ALTER COLUMN coverage_percentage TYPE double precision,
  ALTER COLUMN estimated_cost TYPE numeric(14,6), ALTER COLUMN google_maps_cost TYPE numeric(14,6),
  ALTER COLUMN facebook_cost TYPE numeric(14,6), ALTER COLUMN linkedin_enrichment_cost TYPE numeric(14,6),
  ALTER COLUMN bouncer_verification_cost TYPE numeric(14,6), ALTER COLUMN actual_cost TYPE numeric(14,6),
  ALTER COLUMN created_by TYPE text

-- name: coverage_columns
ALTER TABLE gmaps_campaign_coverage
  ADD COLUMN IF NOT EXISTS keywords text[], ADD COLUMN IF NOT EXISTS max_results integer,
  ADD COLUMN IF NOT EXISTS scraped boolean, ADD COLUMN IF NOT EXISTS scraped_at timestamptz,
  ADD COLUMN IF NOT EXISTS businesses_found integer, ADD COLUMN IF NOT EXISTS emails_found integer,
  ADD COLUMN IF NOT EXISTS estimated_cost numeric(14,6), ADD COLUMN IF NOT EXISTS actual_cost numeric(14,6),
  ADD COLUMN IF NOT EXISTS created_at timestamptz, ADD COLUMN IF NOT EXISTS updated_at timestamptz

-- name: coverage_types
ALTER TABLE gmaps_campaign_coverage
  ALTER COLUMN zip_code TYPE text, ALTER COLUMN estimated_cost TYPE numeric(14,6),
  ALTER COLUMN actual_cost TYPE numeric(14,6)

-- name: businesses_columns
ALTER TABLE gmaps_businesses
  ADD COLUMN IF NOT EXISTS zip_code text, ADD COLUMN IF NOT EXISTS address text, ADD COLUMN IF NOT EXISTS city text,
  ADD COLUMN IF NOT EXISTS state text, ADD COLUMN IF NOT EXISTS postal_code text, ADD COLUMN IF NOT EXISTS country text,
  ADD COLUMN IF NOT EXISTS latitude double precision, ADD COLUMN IF NOT EXISTS longitude double precision,
  ADD COLUMN IF NOT EXISTS phone text, ADD COLUMN IF NOT EXISTS website text,
  ADD COLUMN IF NOT EXISTS email_verified boolean, ADD COLUMN IF NOT EXISTS bouncer_status text,
  ADD COLUMN IF NOT EXISTS bouncer_score double precision, ADD COLUMN IF NOT EXISTS bouncer_reason text,
  ADD COLUMN IF NOT EXISTS is_safe boolean, ADD COLUMN IF NOT EXISTS is_disposable boolean,
  ADD COLUMN IF NOT EXISTS is_role_based boolean, ADD COLUMN IF NOT EXISTS is_free_email boolean,
  ADD COLUMN IF NOT EXISTS bouncer_verified_at timestamptz, ADD COLUMN IF NOT EXISTS category text,
  ADD COLUMN IF NOT EXISTS categories text[], ADD COLUMN IF NOT EXISTS description text,
  ADD COLUMN IF NOT EXISTS rating double precision, ADD COLUMN IF NOT EXISTS reviews_count integer,
  ADD COLUMN IF NOT EXISTS price_level text, ADD COLUMN IF NOT EXISTS hours jsonb,
  ADD COLUMN IF NOT EXISTS facebook_url text, ADD COLUMN IF NOT EXISTS instagram_url text,
  ADD COLUMN IF NOT EXISTS twitter_url text, ADD COLUMN IF NOT EXISTS linkedin_url text,
  ADD COLUMN IF NOT EXISTS needs_enrichment boolean, ADD COLUMN IF NOT EXISTS enrichment_status text,
  ADD COLUMN IF NOT EXISTS enrichment_attempts integer, ADD COLUMN IF NOT EXISTS last_enrichment_attempt timestamptz,
  ADD COLUMN IF NOT EXISTS linkedin_enriched boolean, ADD COLUMN IF NOT EXISTS raw_data jsonb,
  ADD COLUMN IF NOT EXISTS created_at timestamptz, ADD COLUMN IF NOT EXISTS updated_at timestamptz

-- name: businesses_types
ALTER TABLE gmaps_businesses
  ALTER COLUMN zip_code TYPE text, ALTER COLUMN place_id TYPE text, ALTER COLUMN name TYPE text,
  ALTER COLUMN city TYPE text, ALTER COLUMN state TYPE text, ALTER COLUMN postal_code TYPE text,
  ALTER COLUMN country TYPE text, ALTER COLUMN latitude TYPE double precision,
  ALTER COLUMN longitude TYPE double precision, ALTER COLUMN phone TYPE text, ALTER COLUMN email TYPE text,
  ALTER COLUMN email_source TYPE text, ALTER COLUMN bouncer_status TYPE text,
  ALTER COLUMN bouncer_score TYPE double precision, ALTER COLUMN category TYPE text,
  ALTER COLUMN rating TYPE double precision, ALTER COLUMN price_level TYPE text,
  ALTER COLUMN enrichment_status TYPE text

-- name: facebook_columns
ALTER TABLE gmaps_facebook_enrichments
  ADD COLUMN IF NOT EXISTS campaign_id uuid, ADD COLUMN IF NOT EXISTS facebook_url text,
  ADD COLUMN IF NOT EXISTS page_name text, ADD COLUMN IF NOT EXISTS emails text[],
  ADD COLUMN IF NOT EXISTS primary_email text, ADD COLUMN IF NOT EXISTS email_sources text[],
  ADD COLUMN IF NOT EXISTS phone_numbers text[], ADD COLUMN IF NOT EXISTS success boolean,
  ADD COLUMN IF NOT EXISTS error_message text, ADD COLUMN IF NOT EXISTS raw_data jsonb,
  ADD COLUMN IF NOT EXISTS email_verified boolean, ADD COLUMN IF NOT EXISTS bouncer_status text,
  ADD COLUMN IF NOT EXISTS bouncer_score double precision, ADD COLUMN IF NOT EXISTS bouncer_reason text,
  ADD COLUMN IF NOT EXISTS is_safe boolean, ADD COLUMN IF NOT EXISTS is_disposable boolean,
  ADD COLUMN IF NOT EXISTS is_role_based boolean, ADD COLUMN IF NOT EXISTS is_free_email boolean,
  ADD COLUMN IF NOT EXISTS bouncer_verified_at timestamptz, ADD COLUMN IF NOT EXISTS bouncer_raw_response jsonb,
  ADD COLUMN IF NOT EXISTS enrichment_source text, ADD COLUMN IF NOT EXISTS created_at timestamptz,
  ADD COLUMN IF NOT EXISTS updated_at timestamptz

-- name: facebook_types
ALTER TABLE gmaps_facebook_enrichments
  ALTER COLUMN page_name TYPE text, ALTER COLUMN primary_email TYPE text, ALTER COLUMN bouncer_status TYPE text,
  ALTER COLUMN bouncer_score TYPE double precision, ALTER COLUMN enrichment_source TYPE text

-- name: linkedin_columns
ALTER TABLE gmaps_linkedin_enrichments
  ADD COLUMN IF NOT EXISTS linkedin_url text, ADD COLUMN IF NOT EXISTS profile_type text,
  ADD COLUMN IF NOT EXISTS person_name text, ADD COLUMN IF NOT EXISTS person_title text,
  ADD COLUMN IF NOT EXISTS person_profile_url text, ADD COLUMN IF NOT EXISTS company_name text,
  ADD COLUMN IF NOT EXISTS location text, ADD COLUMN IF NOT EXISTS connections integer,
  ADD COLUMN IF NOT EXISTS emails_found text[], ADD COLUMN IF NOT EXISTS emails_generated text[],
  ADD COLUMN IF NOT EXISTS primary_email text, ADD COLUMN IF NOT EXISTS email_source text,
  ADD COLUMN IF NOT EXISTS phone_numbers text[], ADD COLUMN IF NOT EXISTS phone_number text,
  ADD COLUMN IF NOT EXISTS email_extraction_attempted boolean, ADD COLUMN IF NOT EXISTS email_verified_source text,
  ADD COLUMN IF NOT EXISTS email_quality_tier text, ADD COLUMN IF NOT EXISTS email_verified boolean,
  ADD COLUMN IF NOT EXISTS bouncer_status text, ADD COLUMN IF NOT EXISTS bouncer_score double precision,
  ADD COLUMN IF NOT EXISTS bouncer_reason text, ADD COLUMN IF NOT EXISTS is_safe boolean,
  ADD COLUMN IF NOT EXISTS is_disposable boolean, ADD COLUMN IF NOT EXISTS is_role_based boolean,
  ADD COLUMN IF NOT EXISTS is_free_email boolean, ADD COLUMN IF NOT EXISTS bouncer_verified_at timestamptz,
  ADD COLUMN IF NOT EXISTS bouncer_raw_response jsonb, ADD COLUMN IF NOT EXISTS error_message text,
  ADD COLUMN IF NOT EXISTS created_at timestamptz, ADD COLUMN IF NOT EXISTS updated_at timestamptz

-- name: linkedin_types
ALTER TABLE gmaps_linkedin_enrichments
  ALTER COLUMN profile_type TYPE text, ALTER COLUMN email_source TYPE text,
  ALTER COLUMN email_verified_source TYPE text, ALTER COLUMN email_quality_tier TYPE text,
  ALTER COLUMN bouncer_status TYPE text, ALTER COLUMN bouncer_score TYPE double precision

-- name: costs_columns
ALTER TABLE gmaps_api_costs
  ADD COLUMN IF NOT EXISTS items_processed integer, ADD COLUMN IF NOT EXISTS metadata jsonb,
  ADD COLUMN IF NOT EXISTS incurred_at timestamptz, ADD COLUMN IF NOT EXISTS created_at timestamptz

-- name: costs_types
ALTER TABLE gmaps_api_costs
  ALTER COLUMN service TYPE text, ALTER COLUMN cost_usd TYPE numeric(14,6)

-- name: verifications_columns
ALTER TABLE gmaps_email_verifications
  ADD COLUMN IF NOT EXISTS campaign_id uuid, ADD COLUMN IF NOT EXISTS facebook_enrichment_id uuid,
  ADD COLUMN IF NOT EXISTS linkedin_enrichment_id uuid, ADD COLUMN IF NOT EXISTS source text,
  ADD COLUMN IF NOT EXISTS score double precision, ADD COLUMN IF NOT EXISTS is_safe boolean,
  ADD COLUMN IF NOT EXISTS is_disposable boolean, ADD COLUMN IF NOT EXISTS is_role_based boolean,
  ADD COLUMN IF NOT EXISTS is_free_email boolean, ADD COLUMN IF NOT EXISTS is_gibberish boolean,
  ADD COLUMN IF NOT EXISTS domain text, ADD COLUMN IF NOT EXISTS provider text,
  ADD COLUMN IF NOT EXISTS mx_records boolean, ADD COLUMN IF NOT EXISTS smtp_check boolean,
  ADD COLUMN IF NOT EXISTS reason text, ADD COLUMN IF NOT EXISTS suggestion text,
  ADD COLUMN IF NOT EXISTS raw_response jsonb, ADD COLUMN IF NOT EXISTS verified_at timestamptz,
  ADD COLUMN IF NOT EXISTS created_at timestamptz

-- name: verifications_types
ALTER TABLE gmaps_email_verifications
  ALTER COLUMN email TYPE text, ALTER COLUMN source TYPE text, ALTER COLUMN status TYPE text,
  ALTER COLUMN score TYPE double precision, ALTER COLUMN domain TYPE text, ALTER COLUMN provider TYPE text,
  ALTER COLUMN suggestion TYPE text

--- Campaigns -------------------------------------------------------------------------

-- name: campaigns_empty_lists
UPDATE gmaps_campaigns SET keywords = coalesce(keywords, '{}'), custom_zip_codes = coalesce(custom_zip_codes, '{}')
 WHERE keywords IS NULL OR custom_zip_codes IS NULL

-- name: campaigns_unnamed
UPDATE gmaps_campaigns SET name = 'campaign ' || id WHERE char_length(name) NOT BETWEEN 1 AND 255

-- name: campaigns_coverage_profile
UPDATE gmaps_campaigns
   SET coverage_profile = CASE WHEN nullif(btrim(coverage_profile), '') IS NULL THEN 'balanced'
                               WHEN lower(btrim(coverage_profile)) IN ('aggressive', 'balanced', 'budget', 'custom')
                               THEN lower(btrim(coverage_profile)) ELSE 'custom' END
 WHERE coverage_profile IS NULL OR coverage_profile NOT IN ('aggressive', 'balanced', 'budget', 'custom')

-- name: campaigns_status
UPDATE gmaps_campaigns
   SET status = CASE
         WHEN lower(btrim(coalesce(status, ''))) IN ('', 'draft', 'new', 'created', 'pending') THEN 'draft'
         WHEN lower(btrim(status)) IN ('running', 'active', 'in_progress', 'processing', 'scraping', 'enriching', 'started')
           THEN 'running'
         WHEN lower(btrim(status)) IN ('paused', 'stopped', 'on_hold', 'suspended') THEN 'paused'
         WHEN lower(btrim(status)) IN ('completed', 'complete', 'done', 'finished', 'success') THEN 'completed'
         WHEN lower(btrim(status)) IN ('failed', 'error', 'errored', 'cancelled', 'canceled', 'timeout', 'timed_out', 'aborted')
           THEN 'failed'
         WHEN started_at IS NOT NULL THEN 'paused'
         ELSE 'draft' END
 WHERE status IS NULL OR status NOT IN ('draft', 'running', 'paused', 'completed', 'failed')

-- name: campaigns_nulls
UPDATE gmaps_campaigns
   SET estimated_cost = coalesce(estimated_cost, 0), google_maps_cost = coalesce(google_maps_cost, 0),
       facebook_cost = coalesce(facebook_cost, 0), linkedin_enrichment_cost = coalesce(linkedin_enrichment_cost, 0),
       bouncer_verification_cost = coalesce(bouncer_verification_cost, 0), actual_cost = coalesce(actual_cost, 0),
       total_businesses_found = coalesce(total_businesses_found, 0), total_emails_found = coalesce(total_emails_found, 0),
       total_facebook_pages_found = coalesce(total_facebook_pages_found, 0),
       total_linkedin_profiles_found = coalesce(total_linkedin_profiles_found, 0),
       total_verified_emails = coalesce(total_verified_emails, 0), actual_zip_count = coalesce(actual_zip_count, 0),
       target_zip_count = greatest(coalesce(target_zip_count,
                                            (SELECT count(*) FROM gmaps_campaign_coverage v WHERE v.campaign_id = gmaps_campaigns.id)), 0),
       created_by = coalesce(created_by, 'system'), created_at = coalesce(created_at, now()),
       updated_at = coalesce(updated_at, created_at, now())
 WHERE estimated_cost IS NULL OR google_maps_cost IS NULL OR facebook_cost IS NULL OR linkedin_enrichment_cost IS NULL
    OR bouncer_verification_cost IS NULL OR actual_cost IS NULL OR total_businesses_found IS NULL
    OR total_emails_found IS NULL OR total_facebook_pages_found IS NULL OR total_linkedin_profiles_found IS NULL
    OR total_verified_emails IS NULL OR actual_zip_count IS NULL OR target_zip_count IS NULL OR target_zip_count < 0
    OR created_by IS NULL OR created_at IS NULL OR updated_at IS NULL

--- Coverage --------------------------------------------------------------------------

-- name: quarantine_coverage_bad_zip
WITH moved AS (DELETE FROM gmaps_campaign_coverage WHERE char_length(zip_code) NOT BETWEEN 1 AND 10 RETURNING *)
INSERT INTO leadstore_quarantine (table_name, row_id, reason, row_data)
SELECT 'gmaps_campaign_coverage', id, 'zip_code is empty or longer than 10 characters', to_jsonb(moved) FROM moved

-- name: coverage_nulls
UPDATE gmaps_campaign_coverage
   SET keywords = coalesce(keywords, '{}'),
       max_results = CASE WHEN max_results IS NULL THEN 200 ELSE least(greatest(max_results, 1), 1000) END,
       scraped = coalesce(scraped, false), businesses_found = greatest(coalesce(businesses_found, 0), 0),
       emails_found = greatest(coalesce(emails_found, 0), 0), estimated_cost = coalesce(estimated_cost, 0),
       actual_cost = greatest(coalesce(actual_cost, 0), 0), created_at = coalesce(created_at, now()),
       updated_at = coalesce(updated_at, created_at, now())
 WHERE keywords IS NULL OR max_results IS NULL OR max_results NOT BETWEEN 1 AND 1000 OR scraped IS NULL
    OR businesses_found IS NULL OR businesses_found < 0 OR emails_found IS NULL OR emails_found < 0
    OR estimated_cost IS NULL OR actual_cost IS NULL OR actual_cost < 0 OR created_at IS NULL OR updated_at IS NULL

--- Businesses ------------------------------------------------------------------------

-- name: quarantine_businesses_without_campaign
WITH moved AS (DELETE FROM gmaps_businesses b
                WHERE b.campaign_id IS NULL OR NOT EXISTS (SELECT 1 FROM gmaps_campaigns c WHERE c.id = b.campaign_id)
                RETURNING *)
INSERT INTO leadstore_quarantine (table_name, row_id, reason, row_data)
SELECT 'gmaps_businesses', id, 'business without a campaign', to_jsonb(moved) FROM moved

-- name: quarantine_businesses_without_place_id
WITH moved AS (DELETE FROM gmaps_businesses WHERE nullif(btrim(place_id), '') IS NULL RETURNING *)
INSERT INTO leadstore_quarantine (table_name, row_id, reason, row_data)
SELECT 'gmaps_businesses', id, 'business without a place_id', to_jsonb(moved) FROM moved

-- name: duplicate_places
CREATE TEMPORARY TABLE ls_adopt_duplicates ON COMMIT DROP AS
SELECT id, first_value(id) OVER w AS keep
  FROM gmaps_businesses
WINDOW w AS (PARTITION BY campaign_id, place_id ORDER BY created_at NULLS LAST, id)

-- name: duplicate_places_facebook_moved
UPDATE gmaps_facebook_enrichments f SET business_id = d.keep FROM ls_adopt_duplicates d
 WHERE f.business_id = d.id AND d.id <> d.keep

-- name: duplicate_places_linkedin_moved
UPDATE gmaps_linkedin_enrichments l SET business_id = d.keep FROM ls_adopt_duplicates d
 WHERE l.business_id = d.id AND d.id <> d.keep

-- name: duplicate_places_verifications_moved
UPDATE gmaps_email_verifications v SET business_id = d.keep FROM ls_adopt_duplicates d
 WHERE v.business_id = d.id AND d.id <> d.keep

-- name: quarantine_duplicate_places
WITH moved AS (DELETE FROM gmaps_businesses b USING ls_adopt_duplicates d
                WHERE b.id = d.id AND d.id <> d.keep RETURNING b.*, d.keep)
INSERT INTO leadstore_quarantine (table_name, row_id, reason, row_data)
SELECT 'gmaps_businesses', id,
       'the same place_id as business ' || keep || ' in the same campaign (its enrichments and verifications moved there)',
       to_jsonb(moved) - 'keep' FROM moved

-- name: businesses_enrichment_status
UPDATE gmaps_businesses
   SET enrichment_status = CASE
         WHEN lower(btrim(enrichment_status)) IN ('pending', 'queued', 'new') THEN 'pending'
         WHEN lower(btrim(enrichment_status)) IN ('enriched', 'completed', 'complete', 'done', 'success', 'found') THEN 'enriched'
         WHEN lower(btrim(enrichment_status)) IN ('no_facebook', 'skipped', 'no_url', 'none', 'not_found') THEN 'no_facebook'
         WHEN lower(btrim(enrichment_status)) IN ('failed', 'error', 'errored') THEN 'failed'
         WHEN facebook_url IS NOT NULL THEN 'pending'
         ELSE 'no_facebook' END
 WHERE enrichment_status IS NULL OR enrichment_status NOT IN ('pending', 'enriched', 'no_facebook', 'failed')

-- name: businesses_nulls
UPDATE gmaps_businesses
   SET categories = coalesce(categories, '{}'), email_verified = coalesce(email_verified, false),
       needs_enrichment = coalesce(needs_enrichment, enrichment_status = 'pending'),
       enrichment_attempts = coalesce(enrichment_attempts, 0), linkedin_enriched = coalesce(linkedin_enriched, false),
       created_at = coalesce(created_at, now()), updated_at = coalesce(updated_at, created_at, now())
 WHERE categories IS NULL OR email_verified IS NULL OR needs_enrichment IS NULL OR enrichment_attempts IS NULL
    OR linkedin_enriched IS NULL OR created_at IS NULL OR updated_at IS NULL

--- Enrichments -------------------------------------------------------------------------

-- name: quarantine_facebook_orphans
WITH moved AS (DELETE FROM gmaps_facebook_enrichments f
                WHERE NOT EXISTS (SELECT 1 FROM gmaps_businesses b WHERE b.id = f.business_id) RETURNING *)
INSERT INTO leadstore_quarantine (table_name, row_id, reason, row_data)
SELECT 'gmaps_facebook_enrichments', id, 'its business does not exist', to_jsonb(moved) FROM moved

-- name: quarantine_linkedin_orphans
WITH moved AS (DELETE FROM gmaps_linkedin_enrichments l
                WHERE NOT EXISTS (SELECT 1 FROM gmaps_businesses b WHERE b.id = l.business_id) RETURNING *)
INSERT INTO leadstore_quarantine (table_name, row_id, reason, row_data)
SELECT 'gmaps_linkedin_enrichments', id, 'its business does not exist', to_jsonb(moved) FROM moved

-- name: facebook_campaign_of_business
UPDATE gmaps_facebook_enrichments f SET campaign_id = b.campaign_id FROM gmaps_businesses b
 WHERE b.id = f.business_id AND f.campaign_id IS DISTINCT FROM b.campaign_id

-- name: linkedin_campaign_of_business
UPDATE gmaps_linkedin_enrichments l SET campaign_id = b.campaign_id FROM gmaps_businesses b
 WHERE b.id = l.business_id AND l.campaign_id IS DISTINCT FROM b.campaign_id

-- name: facebook_nulls
UPDATE gmaps_facebook_enrichments
   SET emails = coalesce(emails, '{}'), email_sources = coalesce(email_sources, '{}'),
       phone_numbers = coalesce(phone_numbers, '{}'), success = coalesce(success, false),
       email_verified = coalesce(email_verified, false), enrichment_source = coalesce(enrichment_source, 'facebook_scraper'),
       created_at = coalesce(created_at, now()), updated_at = coalesce(updated_at, created_at, now())
 WHERE emails IS NULL OR email_sources IS NULL OR phone_numbers IS NULL OR success IS NULL OR email_verified IS NULL
    OR enrichment_source IS NULL OR created_at IS NULL OR updated_at IS NULL

-- name: linkedin_nulls
UPDATE gmaps_linkedin_enrichments
   SET emails_found = coalesce(emails_found, '{}'), emails_generated = coalesce(emails_generated, '{}'),
       phone_numbers = coalesce(phone_numbers, '{}'),
       email_extraction_attempted = coalesce(email_extraction_attempted, false),
       email_verified = coalesce(email_verified, false),
       profile_type = CASE WHEN profile_type IS NULL THEN NULL
                           WHEN lower(btrim(profile_type)) IN ('company', 'personal') THEN lower(btrim(profile_type))
                           ELSE 'unknown' END,
       created_at = coalesce(created_at, now()), updated_at = coalesce(updated_at, created_at, now())
 WHERE emails_found IS NULL OR emails_generated IS NULL OR phone_numbers IS NULL OR email_extraction_attempted IS NULL
    OR email_verified IS NULL OR profile_type NOT IN ('company', 'personal', 'unknown') OR created_at IS NULL
    OR updated_at IS NULL

--- Verifications ------------------------------------------------------------------------

-- name: verifications_business_of_enrichment
UPDATE gmaps_email_verifications v
   SET business_id = coalesce((SELECT f.business_id FROM gmaps_facebook_enrichments f WHERE f.id = v.facebook_enrichment_id),
                              (SELECT l.business_id FROM gmaps_linkedin_enrichments l WHERE l.id = v.linkedin_enrichment_id))
 WHERE v.business_id IS NULL
   AND (v.facebook_enrichment_id IS NOT NULL OR v.linkedin_enrichment_id IS NOT NULL)

-- name: quarantine_verification_orphans
WITH moved AS (DELETE FROM gmaps_email_verifications v
                WHERE NOT EXISTS (SELECT 1 FROM gmaps_businesses b WHERE b.id = v.business_id) RETURNING *)
INSERT INTO leadstore_quarantine (table_name, row_id, reason, row_data)
SELECT 'gmaps_email_verifications', id, 'its business does not exist', to_jsonb(moved) FROM moved

-- name: quarantine_verification_bad_enrichment
WITH moved AS (DELETE FROM gmaps_email_verifications v
                WHERE (v.facebook_enrichment_id IS NOT NULL AND NOT EXISTS (
                        SELECT 1 FROM gmaps_facebook_enrichments f WHERE f.id = v.facebook_enrichment_id AND f.business_id = v.business_id))
                   OR (v.linkedin_enrichment_id IS NOT NULL AND NOT EXISTS (
                        SELECT 1 FROM gmaps_linkedin_enrichments l WHERE l.id = v.linkedin_enrichment_id AND l.business_id = v.business_id))
                RETURNING *)
INSERT INTO leadstore_quarantine (table_name, row_id, reason, row_data)
SELECT 'gmaps_email_verifications', id, 'its enrichment does not exist or belongs to another business', to_jsonb(moved)
  FROM moved

-- name: verifications_campaign_and_source
UPDATE gmaps_email_verifications v
   SET campaign_id = b.campaign_id,
       source = CASE WHEN lower(btrim(v.source)) IN ('google_maps', 'facebook', 'linkedin') THEN lower(btrim(v.source))
                     WHEN v.facebook_enrichment_id IS NOT NULL THEN 'facebook'
                     WHEN v.linkedin_enrichment_id IS NOT NULL THEN 'linkedin'
                     ELSE 'google_maps' END,
       is_safe = coalesce(v.is_safe, false), verified_at = coalesce(v.verified_at, v.created_at, now()),
       created_at = coalesce(v.created_at, now())
  FROM gmaps_businesses b
 WHERE b.id = v.business_id
   AND (v.campaign_id IS DISTINCT FROM b.campaign_id OR v.source IS NULL
        OR v.source NOT IN ('google_maps', 'facebook', 'linkedin') OR v.is_safe IS NULL OR v.verified_at IS NULL
        OR v.created_at IS NULL)

--- Costs -----------------------------------------------------------------------------------

-- name: quarantine_costs_without_campaign
WITH moved AS (DELETE FROM gmaps_api_costs a
                WHERE a.campaign_id IS NULL OR NOT EXISTS (SELECT 1 FROM gmaps_campaigns c WHERE c.id = a.campaign_id)
                RETURNING *)
INSERT INTO leadstore_quarantine (table_name, row_id, reason, row_data)
SELECT 'gmaps_api_costs', id, 'cost without a campaign', to_jsonb(moved) FROM moved

-- name: costs_service
UPDATE gmaps_api_costs
   SET service = CASE WHEN lower(btrim(service)) IN ('google_maps', 'google', 'gmaps', 'google_places') THEN 'google_maps'
                      WHEN lower(btrim(service)) IN ('facebook', 'fb', 'facebook_scraper') THEN 'facebook'
                      WHEN lower(btrim(service)) IN ('linkedin', 'linkedin_enrichment') THEN 'linkedin'
                      WHEN lower(btrim(service)) IN ('bouncer', 'bouncer_verification', 'email_verification') THEN 'bouncer'
                      ELSE service END
 WHERE service NOT IN ('google_maps', 'facebook', 'linkedin', 'bouncer')

-- name: quarantine_costs_unknown_service
WITH moved AS (DELETE FROM gmaps_api_costs WHERE service NOT IN ('google_maps', 'facebook', 'linkedin', 'bouncer') RETURNING *)
INSERT INTO leadstore_quarantine (table_name, row_id, reason, row_data)
SELECT 'gmaps_api_costs', id, 'service ' || service || ' is not one of google_maps, facebook, linkedin, bouncer',
       to_jsonb(moved) FROM moved

-- name: quarantine_costs_bad_amount
WITH moved AS (DELETE FROM gmaps_api_costs WHERE cost_usd IS NULL OR cost_usd < 0 RETURNING *)
INSERT INTO leadstore_quarantine (table_name, row_id, reason, row_data)
SELECT 'gmaps_api_costs', id, 'cost_usd is missing or negative', to_jsonb(moved) FROM moved

-- name: costs_nulls
UPDATE gmaps_api_costs
   SET items_processed = greatest(coalesce(items_processed, 0), 0), incurred_at = coalesce(incurred_at, created_at, now()),
       created_at = coalesce(created_at, now())
 WHERE items_processed IS NULL OR items_processed < 0 OR incurred_at IS NULL OR created_at IS NULL

--- Constraints, defaults and indexes of 0001 -------------------------------------------------

-- name: campaigns_constraints
ALTER TABLE gmaps_campaigns
  ALTER COLUMN keywords SET DEFAULT '{}', ALTER COLUMN keywords SET NOT NULL,
  ALTER COLUMN coverage_profile SET DEFAULT 'balanced', ALTER COLUMN coverage_profile SET NOT NULL,
  ALTER COLUMN custom_zip_codes SET DEFAULT '{}', ALTER COLUMN custom_zip_codes SET NOT NULL,
  ALTER COLUMN status SET DEFAULT 'draft', ALTER COLUMN status SET NOT NULL,
  ALTER COLUMN target_zip_count SET DEFAULT 0, ALTER COLUMN target_zip_count SET NOT NULL,
  ALTER COLUMN actual_zip_count SET DEFAULT 0, ALTER COLUMN actual_zip_count SET NOT NULL,
  ALTER COLUMN estimated_cost SET DEFAULT 0, ALTER COLUMN estimated_cost SET NOT NULL,
  ALTER COLUMN google_maps_cost SET DEFAULT 0, ALTER COLUMN google_maps_cost SET NOT NULL,
  ALTER COLUMN facebook_cost SET DEFAULT 0, ALTER COLUMN facebook_cost SET NOT NULL,
  ALTER COLUMN linkedin_enrichment_cost SET DEFAULT 0, ALTER COLUMN linkedin_enrichment_cost SET NOT NULL,
  ALTER COLUMN bouncer_verification_cost SET DEFAULT 0, ALTER COLUMN bouncer_verification_cost SET NOT NULL,
  ALTER COLUMN actual_cost SET DEFAULT 0, ALTER COLUMN actual_cost SET NOT NULL,
  ALTER COLUMN total_businesses_found SET DEFAULT 0, ALTER COLUMN total_businesses_found SET NOT NULL,
  ALTER COLUMN total_emails_found SET DEFAULT 0, ALTER COLUMN total_emails_found SET NOT NULL,
  ALTER COLUMN total_facebook_pages_found SET DEFAULT 0, ALTER COLUMN total_facebook_pages_found SET NOT NULL,
  ALTER COLUMN total_linkedin_profiles_found SET DEFAULT 0, ALTER COLUMN total_linkedin_profiles_found SET NOT NULL,
  ALTER COLUMN total_verified_emails SET DEFAULT 0, ALTER COLUMN total_verified_emails SET NOT NULL,
  ALTER COLUMN created_by SET DEFAULT 'system', ALTER COLUMN created_by SET NOT NULL,
  ALTER COLUMN created_at SET DEFAULT now(), ALTER COLUMN created_at SET NOT NULL,
  ALTER COLUMN updated_at SET DEFAULT now(), ALTER COLUMN updated_at SET NOT NULL,
  ADD CONSTRAINT gmaps_campaigns_name_check CHECK (char_length(name) BETWEEN 1 AND 255),
  ADD CONSTRAINT gmaps_campaigns_coverage_profile_check
    CHECK (coverage_profile IN ('aggressive', 'balanced', 'budget', 'custom')),
  ADD CONSTRAINT gmaps_campaigns_status_check CHECK (status IN ('draft', 'running', 'paused', 'completed', 'failed')),
  ADD CONSTRAINT gmaps_campaigns_target_zip_count_check CHECK (target_zip_count >= 0),
  ADD CONSTRAINT gmaps_campaigns_actual_zip_count_check CHECK (actual_zip_count >= 0),
  ADD CONSTRAINT gmaps_campaigns_google_maps_cost_check CHECK (google_maps_cost >= 0),
  ADD CONSTRAINT gmaps_campaigns_facebook_cost_check CHECK (facebook_cost >= 0),
  ADD CONSTRAINT gmaps_campaigns_linkedin_enrichment_cost_check CHECK (linkedin_enrichment_cost >= 0),
  ADD CONSTRAINT gmaps_campaigns_bouncer_verification_cost_check CHECK (bouncer_verification_cost >= 0),
  ADD CONSTRAINT gmaps_campaigns_actual_cost_check CHECK (actual_cost >= 0)

-- name: coverage_constraints
ALTER TABLE gmaps_campaign_coverage
  ALTER COLUMN keywords SET DEFAULT '{}', ALTER COLUMN keywords SET NOT NULL,
  ALTER COLUMN max_results SET DEFAULT 200, ALTER COLUMN max_results SET NOT NULL,
  ALTER COLUMN scraped SET DEFAULT false, ALTER COLUMN scraped SET NOT NULL,
  ALTER COLUMN businesses_found SET DEFAULT 0, ALTER COLUMN businesses_found SET NOT NULL,
  ALTER COLUMN emails_found SET DEFAULT 0, ALTER COLUMN emails_found SET NOT NULL,
  ALTER COLUMN estimated_cost SET DEFAULT 0, ALTER COLUMN estimated_cost SET NOT NULL,
  ALTER COLUMN actual_cost SET DEFAULT 0, ALTER COLUMN actual_cost SET NOT NULL,
  ALTER COLUMN created_at SET DEFAULT now(), ALTER COLUMN created_at SET NOT NULL,
  ALTER COLUMN updated_at SET DEFAULT now(), ALTER COLUMN updated_at SET NOT NULL,
  ADD CONSTRAINT gmaps_campaign_coverage_zip_code_check CHECK (char_length(zip_code) BETWEEN 1 AND 10),
  ADD CONSTRAINT gmaps_campaign_coverage_max_results_check CHECK (max_results BETWEEN 1 AND 1000),
  ADD CONSTRAINT gmaps_campaign_coverage_businesses_found_check CHECK (businesses_found >= 0),
  ADD CONSTRAINT gmaps_campaign_coverage_emails_found_check CHECK (emails_found >= 0),
  ADD CONSTRAINT gmaps_campaign_coverage_actual_cost_check CHECK (actual_cost >= 0),
  ADD CONSTRAINT gmaps_campaign_coverage_campaign_id_fkey
    FOREIGN KEY (campaign_id) REFERENCES gmaps_campaigns (id) ON DELETE CASCADE

-- name: businesses_constraints
ALTER TABLE gmaps_businesses
  ALTER COLUMN campaign_id SET NOT NULL, ALTER COLUMN place_id SET NOT NULL,
  ALTER COLUMN email_verified SET DEFAULT false, ALTER COLUMN email_verified SET NOT NULL,
  ALTER COLUMN categories SET DEFAULT '{}', ALTER COLUMN categories SET NOT NULL,
  ALTER COLUMN needs_enrichment SET DEFAULT false, ALTER COLUMN needs_enrichment SET NOT NULL,
  ALTER COLUMN enrichment_status SET DEFAULT 'no_facebook', ALTER COLUMN enrichment_status SET NOT NULL,
  ALTER COLUMN enrichment_attempts SET DEFAULT 0, ALTER COLUMN enrichment_attempts SET NOT NULL,
  ALTER COLUMN linkedin_enriched SET DEFAULT false, ALTER COLUMN linkedin_enriched SET NOT NULL,
  ALTER COLUMN created_at SET DEFAULT now(), ALTER COLUMN created_at SET NOT NULL,
  ALTER COLUMN updated_at SET DEFAULT now(), ALTER COLUMN updated_at SET NOT NULL,
  ADD CONSTRAINT gmaps_businesses_enrichment_status_check
    CHECK (enrichment_status IN ('pending', 'enriched', 'no_facebook', 'failed')),
  ADD CONSTRAINT gmaps_businesses_campaign_id_place_id_key UNIQUE (campaign_id, place_id),
  ADD CONSTRAINT gmaps_businesses_id_campaign_id_key UNIQUE (id, campaign_id),
  ADD CONSTRAINT gmaps_businesses_campaign_id_fkey
    FOREIGN KEY (campaign_id) REFERENCES gmaps_campaigns (id) ON DELETE CASCADE

-- name: facebook_constraints
ALTER TABLE gmaps_facebook_enrichments
  ALTER COLUMN campaign_id SET NOT NULL,
  ALTER COLUMN emails SET DEFAULT '{}', ALTER COLUMN emails SET NOT NULL,
  ALTER COLUMN email_sources SET DEFAULT '{}', ALTER COLUMN email_sources SET NOT NULL,
  ALTER COLUMN phone_numbers SET DEFAULT '{}', ALTER COLUMN phone_numbers SET NOT NULL,
  ALTER COLUMN success SET DEFAULT false, ALTER COLUMN success SET NOT NULL,
  ALTER COLUMN email_verified SET DEFAULT false, ALTER COLUMN email_verified SET NOT NULL,
  ALTER COLUMN enrichment_source SET DEFAULT 'facebook_scraper', ALTER COLUMN enrichment_source SET NOT NULL,
  ALTER COLUMN created_at SET DEFAULT now(), ALTER COLUMN created_at SET NOT NULL,
  ALTER COLUMN updated_at SET DEFAULT now(), ALTER COLUMN updated_at SET NOT NULL,
  ADD CONSTRAINT gmaps_facebook_enrichments_id_campaign_id_key UNIQUE (id, campaign_id),
  ADD CONSTRAINT gmaps_facebook_enrichments_campaign_id_fkey
    FOREIGN KEY (campaign_id) REFERENCES gmaps_campaigns (id) ON DELETE CASCADE,
  ADD CONSTRAINT gmaps_facebook_enrichments_business_id_campaign_id_fkey
    FOREIGN KEY (business_id, campaign_id) REFERENCES gmaps_businesses (id, campaign_id) ON DELETE CASCADE

-- name: linkedin_constraints
ALTER TABLE gmaps_linkedin_enrichments
  ALTER COLUMN campaign_id SET NOT NULL,
  ALTER COLUMN emails_found SET DEFAULT '{}', ALTER COLUMN emails_found SET NOT NULL,
  ALTER COLUMN emails_generated SET DEFAULT '{}', ALTER COLUMN emails_generated SET NOT NULL,
  ALTER COLUMN phone_numbers SET DEFAULT '{}', ALTER COLUMN phone_numbers SET NOT NULL,
  ALTER COLUMN email_extraction_attempted SET DEFAULT false, ALTER COLUMN email_extraction_attempted SET NOT NULL,
  ALTER COLUMN email_verified SET DEFAULT false, ALTER COLUMN email_verified SET NOT NULL,
  ALTER COLUMN created_at SET DEFAULT now(), ALTER COLUMN created_at SET NOT NULL,
  ALTER COLUMN updated_at SET DEFAULT now(), ALTER COLUMN updated_at SET NOT NULL,
  ADD CONSTRAINT gmaps_linkedin_enrichments_profile_type_check CHECK (profile_type IN ('company', 'personal', 'unknown')),
  ADD CONSTRAINT gmaps_linkedin_enrichments_id_campaign_id_key UNIQUE (id, campaign_id),
  ADD CONSTRAINT gmaps_linkedin_enrichments_campaign_id_fkey
    FOREIGN KEY (campaign_id) REFERENCES gmaps_campaigns (id) ON DELETE CASCADE,
  ADD CONSTRAINT gmaps_linkedin_enrichments_business_id_campaign_id_fkey
    FOREIGN KEY (business_id, campaign_id) REFERENCES gmaps_businesses (id, campaign_id) ON DELETE CASCADE

-- name: costs_constraints
ALTER TABLE gmaps_api_costs
  ALTER COLUMN campaign_id SET NOT NULL, ALTER COLUMN cost_usd SET NOT NULL,
  ALTER COLUMN items_processed SET DEFAULT 0, ALTER COLUMN items_processed SET NOT NULL,
  ALTER COLUMN incurred_at SET DEFAULT now(), ALTER COLUMN incurred_at SET NOT NULL,
  ALTER COLUMN created_at SET DEFAULT now(), ALTER COLUMN created_at SET NOT NULL,
  ADD CONSTRAINT gmaps_api_costs_service_check CHECK (service IN ('google_maps', 'facebook', 'linkedin', 'bouncer')),
  ADD CONSTRAINT gmaps_api_costs_items_processed_check CHECK (items_processed >= 0),
  ADD CONSTRAINT gmaps_api_costs_cost_usd_check CHECK (cost_usd >= 0),
  ADD CONSTRAINT gmaps_api_costs_campaign_id_fkey
    FOREIGN KEY (campaign_id) REFERENCES gmaps_campaigns (id) ON DELETE CASCADE

-- name: verifications_constraints
ALTER TABLE gmaps_email_verifications
  ALTER COLUMN business_id SET NOT NULL, ALTER COLUMN campaign_id SET NOT NULL, ALTER COLUMN source SET NOT NULL,
  ALTER COLUMN is_safe SET DEFAULT false, ALTER COLUMN is_safe SET NOT NULL,
  ALTER COLUMN verified_at SET DEFAULT now(), ALTER COLUMN verified_at SET NOT NULL,
  ALTER COLUMN created_at SET DEFAULT now(), ALTER COLUMN created_at SET NOT NULL,
  ADD CONSTRAINT gmaps_email_verifications_source_check CHECK (source IN ('google_maps', 'facebook', 'linkedin')),
  ADD CONSTRAINT gmaps_email_verifications_campaign_id_fkey
    FOREIGN KEY (campaign_id) REFERENCES gmaps_campaigns (id) ON DELETE CASCADE,
  ADD CONSTRAINT gmaps_email_verifications_business_id_campaign_id_fkey
    FOREIGN KEY (business_id, campaign_id) REFERENCES gmaps_businesses (id, campaign_id) ON DELETE CASCADE,
  ADD CONSTRAINT gmaps_email_verifications_facebook_enrichment_id_campaign__fkey
    FOREIGN KEY (facebook_enrichment_id, campaign_id) REFERENCES gmaps_facebook_enrichments (id, campaign_id) ON DELETE CASCADE,
  ADD CONSTRAINT gmaps_email_verifications_linkedin_enrichment_id_campaign__fkey
    FOREIGN KEY (linkedin_enrichment_id, campaign_id) REFERENCES gmaps_linkedin_enrichments (id, campaign_id) ON DELETE CASCADE

-- name: create_status_history
CREATE TABLE gmaps_campaign_status_history (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  campaign_id uuid NOT NULL REFERENCES gmaps_campaigns (id) ON DELETE CASCADE,
  seq         integer NOT NULL,
  old_status  text,
  new_status  text NOT NULL,
  metadata    jsonb,
  changed_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (campaign_id, seq)
)

-- name: create_rpc_requests
CREATE TABLE gmaps_rpc_requests (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id text NOT NULL DEFAULT '',
  operation       text NOT NULL,
  request_id      text NOT NULL,
  params_hash     text NOT NULL,
  result          jsonb NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (organization_id, operation, request_id)
)

-- name: indexes
DO $indexes$
BEGIN
  CREATE INDEX IF NOT EXISTS idx_campaigns_created ON gmaps_campaigns (created_at, id);
  CREATE INDEX IF NOT EXISTS idx_campaigns_status ON gmaps_campaigns (status, created_at, id);
  CREATE INDEX IF NOT EXISTS idx_campaigns_org ON gmaps_campaigns (organization_id, created_at, id);
  CREATE INDEX IF NOT EXISTS idx_businesses_campaign ON gmaps_businesses (campaign_id, created_at, id);
  CREATE INDEX IF NOT EXISTS idx_businesses_email_state
    ON gmaps_businesses (campaign_id, email_source, email_verified, bouncer_status, is_safe);
  CREATE INDEX IF NOT EXISTS idx_businesses_facebook_queue ON gmaps_businesses (campaign_id, created_at, id)
    WHERE needs_enrichment AND enrichment_status = 'pending';
  CREATE INDEX IF NOT EXISTS idx_businesses_linkedin_queue ON gmaps_businesses (campaign_id, created_at, id)
    WHERE NOT linkedin_enriched;
  CREATE INDEX IF NOT EXISTS idx_businesses_verification_queue ON gmaps_businesses (campaign_id, created_at, id)
    WHERE email IS NOT NULL AND NOT email_verified;
  CREATE INDEX IF NOT EXISTS idx_facebook_enrichments_business ON gmaps_facebook_enrichments (business_id, campaign_id);
  CREATE INDEX IF NOT EXISTS idx_facebook_enrichments_campaign ON gmaps_facebook_enrichments (campaign_id, success);
  CREATE INDEX IF NOT EXISTS idx_linkedin_enrichments_business ON gmaps_linkedin_enrichments (business_id, campaign_id);
  CREATE INDEX IF NOT EXISTS idx_linkedin_enrichments_campaign ON gmaps_linkedin_enrichments (campaign_id);
  CREATE INDEX IF NOT EXISTS idx_linkedin_enrichments_profiles ON gmaps_linkedin_enrichments (campaign_id)
    WHERE linkedin_url IS NOT NULL;
  CREATE INDEX IF NOT EXISTS idx_api_costs_campaign ON gmaps_api_costs (campaign_id, service);
  CREATE INDEX IF NOT EXISTS idx_email_verifications_business ON gmaps_email_verifications (business_id, campaign_id);
  CREATE INDEX IF NOT EXISTS idx_email_verifications_facebook ON gmaps_email_verifications (facebook_enrichment_id, campaign_id);
  CREATE INDEX IF NOT EXISTS idx_email_verifications_linkedin ON gmaps_email_verifications (linkedin_enrichment_id, campaign_id);
  CREATE INDEX IF NOT EXISTS idx_email_verifications_campaign ON gmaps_email_verifications (campaign_id);
END
$indexes$

-- name: row_security
DO $rls$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['gmaps_campaigns', 'gmaps_campaign_coverage', 'gmaps_businesses',
                           'gmaps_facebook_enrichments', 'gmaps_linkedin_enrichments', 'gmaps_api_costs',
                           'gmaps_email_verifications', 'gmaps_campaign_status_history', 'gmaps_rpc_requests']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
  END LOOP;
END
$rls$
