-- queries.sql — every statement the embedded engine runs, by name.
--
-- The build turns each `-- name: X` block into an entry of a generated
-- table; the engine prepares each statement once per connection, on first
-- use, and reuses it.  Every value is a bound parameter (?1, ?2 …).
-- `?org` parameters are the caller's organization, or NULL for service_role:
-- `(?2 IS NULL OR organization_id = ?2)` confines an authenticated caller.

-- name: tx_begin_immediate
BEGIN IMMEDIATE
-- name: tx_begin_read
BEGIN
-- name: tx_commit
COMMIT
-- name: tx_rollback
ROLLBACK
-- name: tx_savepoint
SAVEPOINT ls_call
-- name: tx_release
RELEASE ls_call
-- name: tx_rollback_to
ROLLBACK TO ls_call

--- Idempotency (SPEC §3.3) --------------------------------------------------

-- name: rpc_get
SELECT params_hash, result FROM gmaps_rpc_requests
 WHERE organization_id = ?1 AND operation = ?2 AND request_id = ?3
-- name: rpc_put
INSERT INTO gmaps_rpc_requests (id, organization_id, operation, request_id, params_hash, result, created_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)

--- Campaigns ------------------------------------------------------------------

-- name: campaign_find
SELECT id FROM gmaps_campaigns WHERE id = ?1 AND (?2 IS NULL OR organization_id = ?2)
-- name: campaign_get
SELECT * FROM gmaps_campaigns WHERE id = ?1 AND (?2 IS NULL OR organization_id = ?2)
-- name: campaign_insert
INSERT INTO gmaps_campaigns (id, name, description, keywords, location, coverage_profile,
  custom_zip_codes, status, target_zip_count, actual_zip_count, coverage_percentage,
  estimated_cost, organization_id, created_by, created_at, updated_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ls_status_initial(), ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14)
-- name: coverage_insert
INSERT INTO gmaps_campaign_coverage (id, campaign_id, zip_code, keywords, max_results,
  estimated_cost, created_at, updated_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
-- name: campaign_status_get
SELECT status FROM gmaps_campaigns WHERE id = ?1 AND (?2 IS NULL OR organization_id = ?2)
-- name: campaign_status_set
UPDATE gmaps_campaigns
   SET status = ?2,
       started_at = CASE WHEN ls_status_started(?2) AND started_at IS NULL THEN ?3 ELSE started_at END,
       completed_at = CASE WHEN ls_status_terminal(?2) THEN ?3 ELSE completed_at END,
       updated_at = ?3
 WHERE id = ?1
RETURNING started_at, completed_at
-- name: history_insert
INSERT INTO gmaps_campaign_status_history (id, campaign_id, seq, old_status, new_status, metadata, changed_at)
VALUES (?1, ?2, (SELECT coalesce(max(seq), 0) + 1 FROM gmaps_campaign_status_history WHERE campaign_id = ?2),
        ?3, ?4, ?5, ?6)
-- name: campaign_list
SELECT * FROM gmaps_campaigns
 WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR organization_id = ?2)
 ORDER BY created_at DESC, id DESC LIMIT ?3 OFFSET ?4
-- name: campaign_count
SELECT count(*) FROM gmaps_campaigns WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR organization_id = ?2)

--- Coverage -------------------------------------------------------------------

-- name: coverage_counters_move
-- the coverage counters (schema_3.sql) lose the row's current values and gain the new ones;
-- run before coverage_mark_scraped overwrites the row (no row: nothing changes)
UPDATE gmaps_campaigns
   SET zips_scraped = zips_scraped + 1 - v.scraped,
       zip_businesses_found = zip_businesses_found - v.businesses_found + ?3,
       zip_emails_found = zip_emails_found - v.emails_found + ?4, updated_at = ?5
  FROM (SELECT scraped, businesses_found, emails_found FROM gmaps_campaign_coverage
         WHERE campaign_id = ?1 AND zip_code = ?2) AS v
 WHERE id = ?1
-- name: coverage_mark_scraped
UPDATE gmaps_campaign_coverage
   SET scraped = 1, scraped_at = ?6, businesses_found = ?3, emails_found = ?4, actual_cost = ?5, updated_at = ?6
 WHERE campaign_id = ?1 AND zip_code = ?2

--- Costs ------------------------------------------------------------------------

-- name: cost_insert
INSERT INTO gmaps_api_costs (id, campaign_id, service, items_processed, cost_usd, metadata, incurred_at, created_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
-- name: campaign_add_cost
UPDATE gmaps_campaigns
   SET google_maps_cost = google_maps_cost + (CASE WHEN ?2 = 'google_maps' THEN ?3 ELSE 0 END),
       facebook_cost = facebook_cost + (CASE WHEN ?2 = 'facebook' THEN ?3 ELSE 0 END),
       linkedin_enrichment_cost = linkedin_enrichment_cost + (CASE WHEN ?2 = 'linkedin' THEN ?3 ELSE 0 END),
       bouncer_verification_cost = bouncer_verification_cost + (CASE WHEN ?2 = 'bouncer' THEN ?3 ELSE 0 END),
       actual_cost = google_maps_cost + facebook_cost + linkedin_enrichment_cost + bouncer_verification_cost + ?3,
       updated_at = ?4
 WHERE id = ?1
RETURNING CASE ?2 WHEN 'google_maps' THEN google_maps_cost WHEN 'facebook' THEN facebook_cost
                  WHEN 'linkedin' THEN linkedin_enrichment_cost ELSE bouncer_verification_cost END,
          actual_cost

--- Statistics (SPEC §6) -----------------------------------------------------------

-- name: campaign_counters
SELECT total_businesses_found, total_emails_found, total_facebook_pages_found,
       total_linkedin_profiles_found, total_verified_emails, actual_zip_count, zips_scraped,
       linkedin_emails, facebook_emails, google_maps_emails, total_safe_emails, zip_businesses_found, zip_emails_found,
       facebook_queue, linkedin_queue, verification_queue
  FROM gmaps_campaigns WHERE id = ?1 AND (?2 IS NULL OR organization_id = ?2)
-- name: campaign_recount
-- in the order of campaign_counters; one pass over the campaign's businesses, one over its coverage
-- (email_source <> 'not_found' is email IS NOT NULL, by the table's CHECK)
SELECT b.n, b.emails,
       (SELECT count(*) FROM gmaps_facebook_enrichments WHERE campaign_id = ?1 AND success = 1),
       (SELECT count(*) FROM gmaps_linkedin_enrichments WHERE campaign_id = ?1 AND linkedin_url IS NOT NULL),
       b.verified, v.n, v.scraped, b.linkedin, b.facebook, b.google_maps, b.safe, v.businesses, v.emails,
       b.facebook_queue, b.linkedin_queue, b.verification_queue
  FROM (SELECT count(*) AS n, coalesce(sum(email_source <> 'not_found'), 0) AS emails,
               coalesce(sum(email_source <> 'not_found' AND email_verified = 1
                            AND bouncer_status = ls_verified_status()), 0) AS verified,
               coalesce(sum(email_source = 'linkedin'), 0) AS linkedin,
               coalesce(sum(email_source = 'facebook'), 0) AS facebook,
               coalesce(sum(email_source = 'google_maps'), 0) AS google_maps,
               coalesce(sum(email_source <> 'not_found' AND email_verified = 1 AND is_safe = 1), 0) AS safe,
               -- the work queues: the predicates of idx_businesses_*_queue (schema_4.sql)
               coalesce(sum(needs_enrichment = 1 AND enrichment_status = 'pending'), 0) AS facebook_queue,
               coalesce(sum(linkedin_enriched = 0), 0) AS linkedin_queue,
               coalesce(sum(email IS NOT NULL AND email_verified = 0), 0) AS verification_queue
          FROM gmaps_businesses WHERE campaign_id = ?1) AS b,
       (SELECT count(*) AS n, coalesce(sum(scraped), 0) AS scraped, coalesce(sum(businesses_found), 0) AS businesses,
               coalesce(sum(emails_found), 0) AS emails
          FROM gmaps_campaign_coverage WHERE campaign_id = ?1) AS v
-- name: campaign_counters_set
UPDATE gmaps_campaigns
   SET total_businesses_found = ?2, total_emails_found = ?3, total_facebook_pages_found = ?4,
       total_linkedin_profiles_found = ?5, total_verified_emails = ?6, actual_zip_count = ?7, zips_scraped = ?8,
       linkedin_emails = ?9, facebook_emails = ?10, google_maps_emails = ?11, total_safe_emails = ?12,
       zip_businesses_found = ?13, zip_emails_found = ?14, facebook_queue = ?15, linkedin_queue = ?16,
       verification_queue = ?17, updated_at = ?18
 WHERE id = ?1
-- name: campaign_counters_add
UPDATE gmaps_campaigns
   SET total_businesses_found = total_businesses_found + ?2, total_emails_found = total_emails_found + ?3,
       total_facebook_pages_found = total_facebook_pages_found + ?4,
       total_linkedin_profiles_found = total_linkedin_profiles_found + ?5,
       total_verified_emails = total_verified_emails + ?6, linkedin_emails = linkedin_emails + ?7,
       facebook_emails = facebook_emails + ?8, google_maps_emails = google_maps_emails + ?9,
       total_safe_emails = total_safe_emails + ?10, facebook_queue = facebook_queue + ?11,
       linkedin_queue = linkedin_queue + ?12, verification_queue = verification_queue + ?13, updated_at = ?14
 WHERE id = ?1

--- Invariants (SPEC §8): each query returns (campaign_id, detail) per violation --------

-- name: check_orphans
SELECT campaign_id, 'coverage row ' || id || ' has no campaign' FROM gmaps_campaign_coverage x
 WHERE NOT EXISTS (SELECT 1 FROM gmaps_campaigns c WHERE c.id = x.campaign_id)
UNION ALL
SELECT campaign_id, 'business ' || id || ' has no campaign' FROM gmaps_businesses x
 WHERE NOT EXISTS (SELECT 1 FROM gmaps_campaigns c WHERE c.id = x.campaign_id)
UNION ALL
SELECT campaign_id, 'facebook enrichment ' || id || ' has no business in its campaign' FROM gmaps_facebook_enrichments x
 WHERE NOT EXISTS (SELECT 1 FROM gmaps_businesses b WHERE b.id = x.business_id AND b.campaign_id = x.campaign_id)
UNION ALL
SELECT campaign_id, 'linkedin enrichment ' || id || ' has no business in its campaign' FROM gmaps_linkedin_enrichments x
 WHERE NOT EXISTS (SELECT 1 FROM gmaps_businesses b WHERE b.id = x.business_id AND b.campaign_id = x.campaign_id)
UNION ALL
SELECT campaign_id, 'verification ' || id || ' has no business in its campaign' FROM gmaps_email_verifications x
 WHERE NOT EXISTS (SELECT 1 FROM gmaps_businesses b WHERE b.id = x.business_id AND b.campaign_id = x.campaign_id)
    OR (x.facebook_enrichment_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM gmaps_facebook_enrichments f
         WHERE f.id = x.facebook_enrichment_id AND f.business_id = x.business_id AND f.campaign_id = x.campaign_id))
    OR (x.linkedin_enrichment_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM gmaps_linkedin_enrichments l
         WHERE l.id = x.linkedin_enrichment_id AND l.business_id = x.business_id AND l.campaign_id = x.campaign_id))
UNION ALL
SELECT campaign_id, 'cost ' || id || ' has no campaign' FROM gmaps_api_costs x
 WHERE NOT EXISTS (SELECT 1 FROM gmaps_campaigns c WHERE c.id = x.campaign_id)
UNION ALL
SELECT campaign_id, 'status history ' || id || ' has no campaign' FROM gmaps_campaign_status_history x
 WHERE NOT EXISTS (SELECT 1 FROM gmaps_campaigns c WHERE c.id = x.campaign_id)
-- name: check_counters
SELECT id, printf('%s is %d, recount %d', name_, stored, actual) FROM (
  SELECT c.id, 'total_businesses_found' AS name_, c.total_businesses_found AS stored,
         (SELECT count(*) FROM gmaps_businesses b WHERE b.campaign_id = c.id) AS actual FROM gmaps_campaigns c
  UNION ALL
  SELECT c.id, 'total_emails_found', c.total_emails_found,
         (SELECT count(*) FROM gmaps_businesses b WHERE b.campaign_id = c.id AND b.email IS NOT NULL) FROM gmaps_campaigns c
  UNION ALL
  SELECT c.id, 'total_facebook_pages_found', c.total_facebook_pages_found,
         (SELECT count(*) FROM gmaps_facebook_enrichments f WHERE f.campaign_id = c.id AND f.success = 1) FROM gmaps_campaigns c
  UNION ALL
  SELECT c.id, 'total_linkedin_profiles_found', c.total_linkedin_profiles_found,
         (SELECT count(*) FROM gmaps_linkedin_enrichments l WHERE l.campaign_id = c.id AND l.linkedin_url IS NOT NULL)
    FROM gmaps_campaigns c
  UNION ALL
  SELECT c.id, 'total_verified_emails', c.total_verified_emails,
         (SELECT count(*) FROM gmaps_businesses b WHERE b.campaign_id = c.id AND b.email IS NOT NULL
             AND b.email_verified = 1 AND b.bouncer_status = ls_verified_status()) FROM gmaps_campaigns c
  UNION ALL
  SELECT c.id, 'actual_zip_count', c.actual_zip_count,
         (SELECT count(*) FROM gmaps_campaign_coverage v WHERE v.campaign_id = c.id) FROM gmaps_campaigns c
  UNION ALL
  SELECT c.id, 'zips_scraped', c.zips_scraped,
         (SELECT count(*) FROM gmaps_campaign_coverage v WHERE v.campaign_id = c.id AND v.scraped = 1)
    FROM gmaps_campaigns c
  UNION ALL
  SELECT c.id, 'zip_businesses_found', c.zip_businesses_found,
         (SELECT coalesce(sum(v.businesses_found), 0) FROM gmaps_campaign_coverage v WHERE v.campaign_id = c.id)
    FROM gmaps_campaigns c
  UNION ALL
  SELECT c.id, 'zip_emails_found', c.zip_emails_found,
         (SELECT coalesce(sum(v.emails_found), 0) FROM gmaps_campaign_coverage v WHERE v.campaign_id = c.id)
    FROM gmaps_campaigns c
  UNION ALL
  SELECT c.id, 'linkedin_emails', c.linkedin_emails,
         (SELECT count(*) FROM gmaps_businesses b WHERE b.campaign_id = c.id AND b.email_source = 'linkedin')
    FROM gmaps_campaigns c
  UNION ALL
  SELECT c.id, 'facebook_emails', c.facebook_emails,
         (SELECT count(*) FROM gmaps_businesses b WHERE b.campaign_id = c.id AND b.email_source = 'facebook')
    FROM gmaps_campaigns c
  UNION ALL
  SELECT c.id, 'google_maps_emails', c.google_maps_emails,
         (SELECT count(*) FROM gmaps_businesses b WHERE b.campaign_id = c.id AND b.email_source = 'google_maps')
    FROM gmaps_campaigns c
  UNION ALL
  SELECT c.id, 'total_safe_emails', c.total_safe_emails,
         (SELECT count(*) FROM gmaps_businesses b WHERE b.campaign_id = c.id AND b.email IS NOT NULL
             AND b.email_verified = 1 AND b.is_safe = 1) FROM gmaps_campaigns c
  UNION ALL
  SELECT c.id, 'facebook_queue', c.facebook_queue,
         (SELECT count(*) FROM gmaps_businesses b WHERE b.campaign_id = c.id
             AND b.needs_enrichment = 1 AND b.enrichment_status = 'pending') FROM gmaps_campaigns c
  UNION ALL
  SELECT c.id, 'linkedin_queue', c.linkedin_queue,
         (SELECT count(*) FROM gmaps_businesses b WHERE b.campaign_id = c.id AND b.linkedin_enriched = 0)
    FROM gmaps_campaigns c
  UNION ALL
  SELECT c.id, 'verification_queue', c.verification_queue,
         (SELECT count(*) FROM gmaps_businesses b WHERE b.campaign_id = c.id
             AND b.email IS NOT NULL AND b.email_verified = 0) FROM gmaps_campaigns c
) WHERE stored <> actual
-- name: check_costs
SELECT id, printf('%s is %d micro-USD, its cost rows sum to %d', name_, stored, actual) FROM (
  SELECT c.id, 'google_maps_cost' AS name_, c.google_maps_cost AS stored,
         (SELECT coalesce(sum(cost_usd), 0) FROM gmaps_api_costs a WHERE a.campaign_id = c.id AND a.service = 'google_maps') AS actual
    FROM gmaps_campaigns c
  UNION ALL
  SELECT c.id, 'facebook_cost', c.facebook_cost,
         (SELECT coalesce(sum(cost_usd), 0) FROM gmaps_api_costs a WHERE a.campaign_id = c.id AND a.service = 'facebook')
    FROM gmaps_campaigns c
  UNION ALL
  SELECT c.id, 'linkedin_enrichment_cost', c.linkedin_enrichment_cost,
         (SELECT coalesce(sum(cost_usd), 0) FROM gmaps_api_costs a WHERE a.campaign_id = c.id AND a.service = 'linkedin')
    FROM gmaps_campaigns c
  UNION ALL
  SELECT c.id, 'bouncer_verification_cost', c.bouncer_verification_cost,
         (SELECT coalesce(sum(cost_usd), 0) FROM gmaps_api_costs a WHERE a.campaign_id = c.id AND a.service = 'bouncer')
    FROM gmaps_campaigns c
  UNION ALL
  SELECT c.id, 'actual_cost', c.actual_cost,
         c.google_maps_cost + c.facebook_cost + c.linkedin_enrichment_cost + c.bouncer_verification_cost
    FROM gmaps_campaigns c
) WHERE stored <> actual
-- name: check_email_source
SELECT campaign_id, 'business ' || id || ' has email_source ' || email_source || CASE
         WHEN NOT ls_value_ok('email_source', email_source) THEN ', not one of the four'
         WHEN (email IS NULL) <> (email_source = 'not_found') THEN ' with email ' || coalesce(email, 'NULL')
         ELSE ' below the best source that supplied a well-formed email (' || best || ')' END
  FROM (
  SELECT b.*,
         CASE WHEN EXISTS (SELECT 1 FROM gmaps_linkedin_enrichments l WHERE l.business_id = b.id AND
                             (ls_email_ok(l.primary_email) OR EXISTS (SELECT 1 FROM json_each(l.emails_found) WHERE ls_email_ok(value))))
              THEN 'linkedin'
              WHEN EXISTS (SELECT 1 FROM gmaps_facebook_enrichments f WHERE f.business_id = b.id AND
                             (ls_email_ok(f.primary_email) OR EXISTS (SELECT 1 FROM json_each(f.emails) WHERE ls_email_ok(value))))
              THEN 'facebook' ELSE 'not_found' END AS best
    FROM gmaps_businesses b)
 WHERE NOT ls_value_ok('email_source', email_source)
    OR (email IS NULL) <> (email_source = 'not_found')
    OR ls_source_rank(email_source) < ls_source_rank(best)
-- name: check_status
SELECT c.id, 'status ' || c.status || CASE
         WHEN h.new_status IS NULL OR h.new_status <> c.status THEN ' but the last history row says ' || coalesce(h.new_status, 'nothing')
         WHEN (c.started_at IS NOT NULL) <> EXISTS (SELECT 1 FROM gmaps_campaign_status_history r
                                                    WHERE r.campaign_id = c.id AND ls_status_started(r.new_status))
           THEN ' with started_at ' || coalesce(c.started_at, 'NULL') || ' disagreeing with its history'
         ELSE ' with completed_at ' || coalesce(c.completed_at, 'NULL') END
  FROM gmaps_campaigns c
  LEFT JOIN gmaps_campaign_status_history h
    ON h.campaign_id = c.id AND h.seq = (SELECT max(seq) FROM gmaps_campaign_status_history m WHERE m.campaign_id = c.id)
 WHERE h.new_status IS NULL OR h.new_status <> c.status
    OR (c.started_at IS NOT NULL) <> EXISTS (SELECT 1 FROM gmaps_campaign_status_history r
                                             WHERE r.campaign_id = c.id AND ls_status_started(r.new_status))
    OR (c.completed_at IS NOT NULL) <> ls_status_terminal(c.status)
-- name: check_unique
SELECT campaign_id, 'place_id ' || place_id || ' appears ' || count(*) || ' times' FROM gmaps_businesses
 GROUP BY campaign_id, place_id HAVING count(*) > 1
UNION ALL
SELECT campaign_id, 'ZIP ' || zip_code || ' appears ' || count(*) || ' times' FROM gmaps_campaign_coverage
 GROUP BY campaign_id, zip_code HAVING count(*) > 1
-- name: check_totals
SELECT (SELECT count(*) FROM gmaps_campaigns), (SELECT count(*) FROM gmaps_campaign_coverage),
       (SELECT count(*) FROM gmaps_businesses), (SELECT count(*) FROM gmaps_facebook_enrichments),
       (SELECT count(*) FROM gmaps_linkedin_enrichments), (SELECT count(*) FROM gmaps_api_costs),
       (SELECT count(*) FROM gmaps_email_verifications), (SELECT count(*) FROM gmaps_campaign_status_history)

--- Businesses (SPEC §5, §7.5) ----------------------------------------------------
-- `:key` parameters are bound from the data object by the operations table's
-- field types; `@name` parameters are computed by the handler.

-- name: business_for_call
SELECT b.id, b.campaign_id, b.email, b.email_source,
       (b.email IS NOT NULL AND b.email_verified = 1 AND b.bouncer_status = ls_verified_status()),
       (b.email IS NOT NULL AND b.email_verified = 1 AND b.is_safe = 1),
       b.needs_enrichment, b.enrichment_status, b.linkedin_enriched, b.email_verified
  FROM gmaps_businesses b JOIN gmaps_campaigns c ON c.id = b.campaign_id
 WHERE b.id = ?1 AND (?2 IS NULL OR c.organization_id = ?2)
-- name: business_by_place
SELECT id, campaign_id, email, email_source,
       (email IS NOT NULL AND email_verified = 1 AND bouncer_status = ls_verified_status()),
       (email IS NOT NULL AND email_verified = 1 AND is_safe = 1),
       needs_enrichment, enrichment_status, linkedin_enriched, email_verified
  FROM gmaps_businesses WHERE campaign_id = @campaign_id AND place_id = :place_id
-- name: business_insert
INSERT INTO gmaps_businesses (id, campaign_id, zip_code, place_id, name, address, city, state, postal_code,
  country, latitude, longitude, phone, website, email, email_source, category, categories, description,
  rating, reviews_count, price_level, hours, facebook_url, instagram_url, twitter_url, linkedin_url,
  needs_enrichment, enrichment_status, raw_data, created_at, updated_at)
VALUES (@id, @campaign_id, @zip_code, :place_id, :name, :address, :city, :state, :postal_code,
  :country, :latitude, :longitude, :phone, :website, @email, @email_source, :category, coalesce(:categories, '[]'),
  :description, :rating, :reviews_count, :price_level, :hours, :facebook_url, :instagram_url, :twitter_url,
  :linkedin_url, :facebook_url IS NOT NULL, CASE WHEN :facebook_url IS NOT NULL THEN 'pending' ELSE 'no_facebook' END,
  @raw_data, @now, @now)
-- name: business_update_scraped
UPDATE gmaps_businesses
   SET name = coalesce(:name, name), address = coalesce(:address, address), city = coalesce(:city, city),
       state = coalesce(:state, state), postal_code = coalesce(:postal_code, postal_code),
       country = coalesce(:country, country), latitude = coalesce(:latitude, latitude),
       longitude = coalesce(:longitude, longitude), phone = coalesce(:phone, phone),
       website = coalesce(:website, website), category = coalesce(:category, category),
       categories = coalesce(:categories, categories), description = coalesce(:description, description),
       rating = coalesce(:rating, rating), reviews_count = coalesce(:reviews_count, reviews_count),
       price_level = coalesce(:price_level, price_level), hours = coalesce(:hours, hours),
       facebook_url = coalesce(:facebook_url, facebook_url), instagram_url = coalesce(:instagram_url, instagram_url),
       twitter_url = coalesce(:twitter_url, twitter_url), linkedin_url = coalesce(:linkedin_url, linkedin_url),
       raw_data = coalesce(@raw_data, raw_data),
       needs_enrichment = CASE WHEN enrichment_status = 'no_facebook' AND :facebook_url IS NOT NULL THEN 1
                               ELSE needs_enrichment END,
       enrichment_status = CASE WHEN enrichment_status = 'no_facebook' AND :facebook_url IS NOT NULL THEN 'pending'
                                ELSE enrichment_status END,
       updated_at = @now
 WHERE id = @id
-- name: business_set_email
UPDATE gmaps_businesses
   SET email = ?2, email_source = ?3, email_verified = 0, bouncer_status = NULL, bouncer_score = NULL,
       bouncer_reason = NULL, is_safe = NULL, is_disposable = NULL, is_role_based = NULL, is_free_email = NULL,
       bouncer_verified_at = NULL, updated_at = ?4
 WHERE id = ?1
-- name: business_set_source
UPDATE gmaps_businesses SET email_source = ?2, updated_at = ?3 WHERE id = ?1
-- name: business_set_verification
UPDATE gmaps_businesses
   SET email_verified = @verified, bouncer_status = @status, bouncer_score = @score, bouncer_reason = @reason,
       is_safe = @is_safe, is_disposable = @is_disposable, is_role_based = @is_role_based,
       is_free_email = @is_free_email, bouncer_verified_at = @verified_at, updated_at = @now
 WHERE id = @id
-- The work queues: each page written with the predicate of its partial index
-- idx_businesses_*_queue (schema.sql), which it walks in order; the number
-- waiting is a counter of the campaign row (schema_4.sql).
-- name: campaign_queues
SELECT facebook_queue, linkedin_queue, verification_queue FROM gmaps_campaigns
 WHERE id = ?1 AND (?2 IS NULL OR organization_id = ?2)
-- name: businesses_facebook_queue
SELECT * FROM gmaps_businesses WHERE campaign_id = ?1 AND needs_enrichment = 1 AND enrichment_status = 'pending'
 ORDER BY created_at, id LIMIT ?2 OFFSET ?3
-- name: businesses_linkedin_queue
SELECT * FROM gmaps_businesses WHERE campaign_id = ?1 AND linkedin_enriched = 0
 ORDER BY created_at, id LIMIT ?2 OFFSET ?3
-- name: businesses_verification_queue
SELECT * FROM gmaps_businesses WHERE campaign_id = ?1 AND email IS NOT NULL AND email_verified = 0
 ORDER BY created_at, id LIMIT ?2 OFFSET ?3

--- Enrichment (SPEC §7.6, §7.7) ------------------------------------------------------

-- The attempt, and the email the page offers as ls__sq_offer_email would write it:
-- ?4 = 0 nothing, 1 email_source = ?6 only (business_set_source), 2 the new
-- address ?5 from ?6 and the verification columns reset (business_set_email).
-- name: business_facebook_attempt
UPDATE gmaps_businesses
   SET enrichment_attempts = enrichment_attempts + 1, last_enrichment_attempt = ?2, enrichment_status = ?3,
       needs_enrichment = 0, updated_at = ?2,
       email = CASE WHEN ?4 = 2 THEN ?5 ELSE email END,
       email_source = CASE WHEN ?4 >= 1 THEN ?6 ELSE email_source END,
       email_verified = CASE WHEN ?4 = 2 THEN 0 ELSE email_verified END,
       bouncer_status = CASE WHEN ?4 = 2 THEN NULL ELSE bouncer_status END,
       bouncer_score = CASE WHEN ?4 = 2 THEN NULL ELSE bouncer_score END,
       bouncer_reason = CASE WHEN ?4 = 2 THEN NULL ELSE bouncer_reason END,
       is_safe = CASE WHEN ?4 = 2 THEN NULL ELSE is_safe END,
       is_disposable = CASE WHEN ?4 = 2 THEN NULL ELSE is_disposable END,
       is_role_based = CASE WHEN ?4 = 2 THEN NULL ELSE is_role_based END,
       is_free_email = CASE WHEN ?4 = 2 THEN NULL ELSE is_free_email END,
       bouncer_verified_at = CASE WHEN ?4 = 2 THEN NULL ELSE bouncer_verified_at END
 WHERE id = ?1
-- name: business_linkedin_done
UPDATE gmaps_businesses SET linkedin_enriched = 1, linkedin_url = coalesce(?2, linkedin_url), updated_at = ?3
 WHERE id = ?1
-- name: facebook_insert
INSERT INTO gmaps_facebook_enrichments (id, business_id, campaign_id, facebook_url, page_name, emails,
  primary_email, email_sources, phone_numbers, success, error_message, raw_data, created_at, updated_at)
VALUES (@id, @business_id, @campaign_id, :facebook_url, :page_name, coalesce(:emails, '[]'), :primary_email,
  coalesce(:email_sources, '[]'), coalesce(:phone_numbers, '[]'), coalesce(:success, 0), :error_message,
  @raw_data, @now, @now)
-- name: linkedin_insert
INSERT INTO gmaps_linkedin_enrichments (id, business_id, campaign_id, linkedin_url, profile_type, person_name,
  person_title, person_profile_url, company_name, location, connections, emails_found, emails_generated,
  primary_email, email_source, phone_numbers, phone_number, email_extraction_attempted, email_verified_source,
  email_quality_tier, email_verified, bouncer_status, bouncer_score, bouncer_reason, is_safe, is_disposable,
  is_role_based, is_free_email, bouncer_verified_at, bouncer_raw_response, error_message, created_at, updated_at)
VALUES (@id, @business_id, @campaign_id, :linkedin_url, :profile_type, :person_name, :person_title,
  :person_profile_url, :company_name, :location, :connections, coalesce(:emails_found, '[]'),
  coalesce(:emails_generated, '[]'), :primary_email, :email_source, coalesce(:phone_numbers, '[]'),
  :phone_number, coalesce(:email_extraction_attempted, 0), :email_verified_source, :email_quality_tier,
  @verified, :bouncer_status, :bouncer_score, :bouncer_reason, @is_safe,
  :bouncer_is_disposable, :bouncer_is_role_based, :bouncer_is_free_email, :bouncer_verified_at,
  :bouncer_raw_response, :error, @now, @now)

--- Verification (SPEC §7.8) -----------------------------------------------------------

-- name: facebook_for_call
SELECT f.id, f.business_id FROM gmaps_facebook_enrichments f JOIN gmaps_campaigns c ON c.id = f.campaign_id
 WHERE f.id = ?1 AND (?2 IS NULL OR c.organization_id = ?2)
-- name: linkedin_for_call
SELECT l.id, l.business_id FROM gmaps_linkedin_enrichments l JOIN gmaps_campaigns c ON c.id = l.campaign_id
 WHERE l.id = ?1 AND (?2 IS NULL OR c.organization_id = ?2)
-- name: facebook_set_verification
UPDATE gmaps_facebook_enrichments
   SET email_verified = @verified, bouncer_status = @status, bouncer_score = @score, bouncer_reason = @reason,
       is_safe = @is_safe, is_disposable = @is_disposable, is_role_based = @is_role_based,
       is_free_email = @is_free_email, bouncer_verified_at = @verified_at, bouncer_raw_response = @raw_response,
       updated_at = @now
 WHERE id = @id
-- name: linkedin_set_verification
UPDATE gmaps_linkedin_enrichments
   SET email_verified = @verified, bouncer_status = @status, bouncer_score = @score, bouncer_reason = @reason,
       is_safe = @is_safe, is_disposable = @is_disposable, is_role_based = @is_role_based,
       is_free_email = @is_free_email, bouncer_verified_at = @verified_at, bouncer_raw_response = @raw_response,
       updated_at = @now
 WHERE id = @id
-- name: verification_insert
INSERT INTO gmaps_email_verifications (id, business_id, campaign_id, facebook_enrichment_id,
  linkedin_enrichment_id, email, source, status, score, is_safe, is_disposable, is_role_based, is_free_email,
  is_gibberish, domain, provider, mx_records, smtp_check, reason, suggestion, raw_response, verified_at, created_at)
VALUES (@id, @business_id, @campaign_id, @facebook_enrichment_id, @linkedin_enrichment_id, :email, @source,
  :status, :score, @is_safe, :is_disposable, :is_role_based, :is_free_email, :is_gibberish, :domain, :provider,
  :mx_records, :smtp_check, :reason, :suggestion, :raw_response, @now, @now)

--- Reads: businesses, coverage, costs, history (reads.c) -------------------------------
-- Keyset pages: each list is read in its order from where the previous page
-- ended — a row-value comparison on an index that starts with the campaign
-- and the order's columns, so a page costs the same at any depth.  With no
-- @after the comparison starts below every row ('' sorts first).  The
-- filters are the same text in a list and its count: NULL = no filter.

-- name: business_page_key
SELECT created_at FROM gmaps_businesses WHERE id = @after AND campaign_id = @campaign_id
-- name: businesses_page
SELECT * FROM gmaps_businesses
 WHERE campaign_id = @campaign_id AND (created_at, id) > (coalesce(@after_at, ''), coalesce(@after, ''))
   AND (@zip_code IS NULL OR zip_code = @zip_code)
   AND (@email_source IS NULL OR email_source = @email_source)
   AND (@verified IS NULL OR email_verified = @verified)
   AND (@safe IS NULL OR is_safe = @safe)
   AND (@enrichment_status IS NULL OR enrichment_status = @enrichment_status)
   AND (@search IS NULL OR ls_contains_ci(name, @search) OR ls_contains_ci(email, @search)
        OR ls_contains_ci(website, @search) OR ls_contains_ci(phone, @search))
 ORDER BY created_at, id LIMIT @limit
-- Without a filter the total is the campaign's counter total_businesses_found (SPEC §6:
-- its business rows, moved by every write, proven by check): no count that grows with the
-- campaign.  The count runs only when a filter is given.
-- name: businesses_total
SELECT CASE WHEN @zip_code IS NULL AND @email_source IS NULL AND @verified IS NULL AND @safe IS NULL
                 AND @enrichment_status IS NULL AND @search IS NULL
            THEN (SELECT total_businesses_found FROM gmaps_campaigns WHERE id = @campaign_id)
            ELSE (SELECT count(*) FROM gmaps_businesses
                   WHERE campaign_id = @campaign_id
                     AND (@zip_code IS NULL OR zip_code = @zip_code)
                     AND (@email_source IS NULL OR email_source = @email_source)
                     AND (@verified IS NULL OR email_verified = @verified)
                     AND (@safe IS NULL OR is_safe = @safe)
                     AND (@enrichment_status IS NULL OR enrichment_status = @enrichment_status)
                     AND (@search IS NULL OR ls_contains_ci(name, @search) OR ls_contains_ci(email, @search)
                          OR ls_contains_ci(website, @search) OR ls_contains_ci(phone, @search))) END

-- name: business_get
SELECT b.* FROM gmaps_businesses b JOIN gmaps_campaigns c ON c.id = b.campaign_id
 WHERE b.id = ?1 AND (?2 IS NULL OR c.organization_id = ?2)
-- name: business_facebook_enrichments
SELECT * FROM gmaps_facebook_enrichments WHERE business_id = ?1 ORDER BY created_at, id
-- name: business_linkedin_enrichments
SELECT * FROM gmaps_linkedin_enrichments WHERE business_id = ?1 ORDER BY created_at, id
-- name: business_verifications
SELECT * FROM gmaps_email_verifications WHERE business_id = ?1 ORDER BY verified_at, id

-- Coverage in ZIP order: BINARY collation is byte order, and a ZIP is unique
-- within its campaign, so the ZIP alone is the key (index: the UNIQUE one).
-- name: coverage_page_key
SELECT zip_code FROM gmaps_campaign_coverage WHERE id = @after AND campaign_id = @campaign_id
-- name: coverage_page
SELECT * FROM gmaps_campaign_coverage
 WHERE campaign_id = @campaign_id AND zip_code > coalesce(@after_zip, '')
   AND (@scraped IS NULL OR scraped = @scraped)
 ORDER BY zip_code LIMIT @limit
-- name: coverage_total
SELECT count(*) FROM gmaps_campaign_coverage
 WHERE campaign_id = @campaign_id AND (@scraped IS NULL OR scraped = @scraped)

-- name: cost_page_key
SELECT incurred_at FROM gmaps_api_costs WHERE id = @after AND campaign_id = @campaign_id
-- name: costs_page
SELECT * FROM gmaps_api_costs
 WHERE campaign_id = @campaign_id AND (incurred_at, id) > (coalesce(@after_at, ''), coalesce(@after, ''))
   AND (@service IS NULL OR service = @service)
 ORDER BY incurred_at, id LIMIT @limit
-- name: costs_total
SELECT count(*), coalesce(sum(cost_usd), 0) FROM gmaps_api_costs
 WHERE campaign_id = @campaign_id AND (@service IS NULL OR service = @service)

-- name: status_history
SELECT old_status, new_status, metadata, changed_at FROM gmaps_campaign_status_history
 WHERE campaign_id = ?1 ORDER BY seq

--- check --repair (repair.c): the steps of sql/postgres/adopt/repair.sql on this engine ------------
--- (each changes only rows that are wrong; the history rows are inserted by repair.c with ids)

-- name: repair_emails_not_well_formed
UPDATE gmaps_businesses
   SET email = ls_email_clean(email),
       email_source = CASE WHEN ls_email_clean(email) IS NULL THEN 'not_found' ELSE email_source END,
       email_verified = CASE WHEN ls_email_clean(email) IS NULL THEN 0 ELSE email_verified END,
       bouncer_status = CASE WHEN ls_email_clean(email) IS NULL THEN NULL ELSE bouncer_status END,
       bouncer_score = CASE WHEN ls_email_clean(email) IS NULL THEN NULL ELSE bouncer_score END,
       bouncer_reason = CASE WHEN ls_email_clean(email) IS NULL THEN NULL ELSE bouncer_reason END,
       is_safe = CASE WHEN ls_email_clean(email) IS NULL THEN NULL ELSE is_safe END,
       is_disposable = CASE WHEN ls_email_clean(email) IS NULL THEN NULL ELSE is_disposable END,
       is_role_based = CASE WHEN ls_email_clean(email) IS NULL THEN NULL ELSE is_role_based END,
       is_free_email = CASE WHEN ls_email_clean(email) IS NULL THEN NULL ELSE is_free_email END,
       bouncer_verified_at = CASE WHEN ls_email_clean(email) IS NULL THEN NULL ELSE bouncer_verified_at END
 WHERE email IS NOT NULL AND email IS NOT ls_email_clean(email)
-- name: repair_email_from_enrichments
UPDATE gmaps_businesses AS b
   SET email = o.email, email_source = o.source,
       email_verified = CASE WHEN lower(o.email) = lower(b.email) THEN b.email_verified ELSE 0 END,
       bouncer_status = CASE WHEN lower(o.email) = lower(b.email) THEN b.bouncer_status END,
       bouncer_score = CASE WHEN lower(o.email) = lower(b.email) THEN b.bouncer_score END,
       bouncer_reason = CASE WHEN lower(o.email) = lower(b.email) THEN b.bouncer_reason END,
       is_safe = CASE WHEN lower(o.email) = lower(b.email) THEN b.is_safe END,
       is_disposable = CASE WHEN lower(o.email) = lower(b.email) THEN b.is_disposable END,
       is_role_based = CASE WHEN lower(o.email) = lower(b.email) THEN b.is_role_based END,
       is_free_email = CASE WHEN lower(o.email) = lower(b.email) THEN b.is_free_email END,
       bouncer_verified_at = CASE WHEN lower(o.email) = lower(b.email) THEN b.bouncer_verified_at END
  FROM (SELECT business_id, email, source FROM (
          SELECT business_id, email, source,
                 row_number() OVER (PARTITION BY business_id
                                    ORDER BY ls_source_rank(source) DESC, created_at DESC, id DESC) AS n
            FROM (SELECT l.business_id, l.created_at, l.id, 'linkedin' AS source,
                         coalesce(ls_email_clean(l.primary_email),
                                  (SELECT ls_email_clean(value) FROM json_each(l.emails_found)
                                    WHERE ls_email_clean(value) IS NOT NULL ORDER BY key LIMIT 1)) AS email
                    FROM gmaps_linkedin_enrichments l
                  UNION ALL
                  SELECT f.business_id, f.created_at, f.id, 'facebook',
                         coalesce(ls_email_clean(f.primary_email),
                                  (SELECT ls_email_clean(value) FROM json_each(f.emails)
                                    WHERE ls_email_clean(value) IS NOT NULL ORDER BY key LIMIT 1))
                    FROM gmaps_facebook_enrichments f)
           WHERE email IS NOT NULL)
         WHERE n = 1) AS o
 WHERE o.business_id = b.id AND ls_source_rank(b.email_source) < ls_source_rank(o.source)
-- name: repair_history_needed
-- the history rows missing, one kind at a time (?1: 1 first row, 2 the start, 3 the status):
-- campaign_id, old_status, new_status, changed_at
SELECT c.id, h.new_status,
       CASE ?1 WHEN 1 THEN ls_status_initial() WHEN 2 THEN 'running' ELSE c.status END,
       CASE ?1 WHEN 1 THEN c.created_at WHEN 2 THEN max(c.started_at, h.changed_at)
               ELSE max(coalesce(c.completed_at, c.updated_at), h.changed_at) END
  FROM gmaps_campaigns c
  LEFT JOIN gmaps_campaign_status_history h
    ON h.campaign_id = c.id AND h.seq = (SELECT max(seq) FROM gmaps_campaign_status_history m WHERE m.campaign_id = c.id)
 WHERE CASE ?1 WHEN 1 THEN h.id IS NULL
               WHEN 2 THEN h.id IS NOT NULL AND c.started_at IS NOT NULL
                           AND NOT EXISTS (SELECT 1 FROM gmaps_campaign_status_history r
                                            WHERE r.campaign_id = c.id AND ls_status_started(r.new_status))
               ELSE h.id IS NOT NULL AND h.new_status IS NOT c.status END
 ORDER BY c.id
-- name: repair_started_at
UPDATE gmaps_campaigns AS c
   SET started_at = (SELECT min(h.changed_at) FROM gmaps_campaign_status_history h
                      WHERE h.campaign_id = c.id AND ls_status_started(h.new_status))
 WHERE c.started_at IS NULL
   AND EXISTS (SELECT 1 FROM gmaps_campaign_status_history h WHERE h.campaign_id = c.id AND ls_status_started(h.new_status))
-- name: repair_completed_at
UPDATE gmaps_campaigns AS c
   SET completed_at = CASE WHEN ls_status_terminal(c.status)
                           THEN (SELECT h.changed_at FROM gmaps_campaign_status_history h
                                  WHERE h.campaign_id = c.id ORDER BY seq DESC LIMIT 1) END
 WHERE (c.completed_at IS NOT NULL) <> ls_status_terminal(c.status)
-- name: repair_campaign_ids
SELECT id FROM gmaps_campaigns ORDER BY id
-- name: repair_costs
UPDATE gmaps_campaigns AS c
   SET google_maps_cost = r.google_maps, facebook_cost = r.facebook, linkedin_enrichment_cost = r.linkedin,
       bouncer_verification_cost = r.bouncer, actual_cost = r.google_maps + r.facebook + r.linkedin + r.bouncer
  FROM (SELECT x.id,
               coalesce((SELECT sum(cost_usd) FROM gmaps_api_costs a WHERE a.campaign_id = x.id AND a.service = 'google_maps'), 0) AS google_maps,
               coalesce((SELECT sum(cost_usd) FROM gmaps_api_costs a WHERE a.campaign_id = x.id AND a.service = 'facebook'), 0) AS facebook,
               coalesce((SELECT sum(cost_usd) FROM gmaps_api_costs a WHERE a.campaign_id = x.id AND a.service = 'linkedin'), 0) AS linkedin,
               coalesce((SELECT sum(cost_usd) FROM gmaps_api_costs a WHERE a.campaign_id = x.id AND a.service = 'bouncer'), 0) AS bouncer
          FROM gmaps_campaigns x) AS r
 WHERE c.id = r.id
   AND (c.google_maps_cost, c.facebook_cost, c.linkedin_enrichment_cost, c.bouncer_verification_cost, c.actual_cost)
       IS NOT (r.google_maps, r.facebook, r.linkedin, r.bouncer, r.google_maps + r.facebook + r.linkedin + r.bouncer)

--- restore_campaign_tx (restore.c): every column as given, `:column` bound by its type in the operations table

-- name: restore_campaign_exists
SELECT 1 FROM gmaps_campaigns WHERE id = ?1
-- name: restore_campaign
INSERT INTO gmaps_campaigns (id, name, description, keywords, location, coverage_profile, custom_zip_codes, status, target_zip_count, actual_zip_count, coverage_percentage, estimated_cost, google_maps_cost, facebook_cost, linkedin_enrichment_cost, bouncer_verification_cost, actual_cost, total_businesses_found, total_emails_found, total_facebook_pages_found, total_linkedin_profiles_found, total_verified_emails, organization_id, created_by, started_at, completed_at, created_at, updated_at, linkedin_emails, facebook_emails, google_maps_emails, total_safe_emails, zips_scraped, zip_businesses_found, zip_emails_found, facebook_queue, linkedin_queue, verification_queue)
VALUES (:id, :name, :description, :keywords, :location, :coverage_profile, :custom_zip_codes, :status, :target_zip_count, :actual_zip_count, :coverage_percentage, :estimated_cost, :google_maps_cost, :facebook_cost, :linkedin_enrichment_cost, :bouncer_verification_cost, :actual_cost, :total_businesses_found, :total_emails_found, :total_facebook_pages_found, :total_linkedin_profiles_found, :total_verified_emails, :organization_id, :created_by, :started_at, :completed_at, :created_at, :updated_at, :linkedin_emails, :facebook_emails, :google_maps_emails, :total_safe_emails, :zips_scraped, :zip_businesses_found, :zip_emails_found, :facebook_queue, :linkedin_queue, :verification_queue)
-- name: restore_coverage
INSERT INTO gmaps_campaign_coverage (id, campaign_id, zip_code, keywords, max_results, scraped, scraped_at, businesses_found, emails_found, estimated_cost, actual_cost, created_at, updated_at)
VALUES (:id, :campaign_id, :zip_code, :keywords, :max_results, :scraped, :scraped_at, :businesses_found, :emails_found, :estimated_cost, :actual_cost, :created_at, :updated_at)
-- name: restore_business
INSERT INTO gmaps_businesses (id, campaign_id, zip_code, place_id, name, address, city, state, postal_code, country, latitude, longitude, phone, website, email, email_source, email_verified, bouncer_status, bouncer_score, bouncer_reason, is_safe, is_disposable, is_role_based, is_free_email, bouncer_verified_at, category, categories, description, rating, reviews_count, price_level, hours, facebook_url, instagram_url, twitter_url, linkedin_url, needs_enrichment, enrichment_status, enrichment_attempts, last_enrichment_attempt, linkedin_enriched, raw_data, created_at, updated_at)
VALUES (:id, :campaign_id, :zip_code, :place_id, :name, :address, :city, :state, :postal_code, :country, :latitude, :longitude, :phone, :website, :email, :email_source, :email_verified, :bouncer_status, :bouncer_score, :bouncer_reason, :is_safe, :is_disposable, :is_role_based, :is_free_email, :bouncer_verified_at, :category, :categories, :description, :rating, :reviews_count, :price_level, :hours, :facebook_url, :instagram_url, :twitter_url, :linkedin_url, :needs_enrichment, :enrichment_status, :enrichment_attempts, :last_enrichment_attempt, :linkedin_enriched, :raw_data, :created_at, :updated_at)
-- name: restore_facebook
INSERT INTO gmaps_facebook_enrichments (id, business_id, campaign_id, facebook_url, page_name, emails, primary_email, email_sources, phone_numbers, success, error_message, raw_data, email_verified, bouncer_status, bouncer_score, bouncer_reason, is_safe, is_disposable, is_role_based, is_free_email, bouncer_verified_at, bouncer_raw_response, enrichment_source, created_at, updated_at)
VALUES (:id, :business_id, :campaign_id, :facebook_url, :page_name, :emails, :primary_email, :email_sources, :phone_numbers, :success, :error_message, :raw_data, :email_verified, :bouncer_status, :bouncer_score, :bouncer_reason, :is_safe, :is_disposable, :is_role_based, :is_free_email, :bouncer_verified_at, :bouncer_raw_response, :enrichment_source, :created_at, :updated_at)
-- name: restore_linkedin
INSERT INTO gmaps_linkedin_enrichments (id, business_id, campaign_id, linkedin_url, profile_type, person_name, person_title, person_profile_url, company_name, location, connections, emails_found, emails_generated, primary_email, email_source, phone_numbers, phone_number, email_extraction_attempted, email_verified_source, email_quality_tier, email_verified, bouncer_status, bouncer_score, bouncer_reason, is_safe, is_disposable, is_role_based, is_free_email, bouncer_verified_at, bouncer_raw_response, error_message, created_at, updated_at)
VALUES (:id, :business_id, :campaign_id, :linkedin_url, :profile_type, :person_name, :person_title, :person_profile_url, :company_name, :location, :connections, :emails_found, :emails_generated, :primary_email, :email_source, :phone_numbers, :phone_number, :email_extraction_attempted, :email_verified_source, :email_quality_tier, :email_verified, :bouncer_status, :bouncer_score, :bouncer_reason, :is_safe, :is_disposable, :is_role_based, :is_free_email, :bouncer_verified_at, :bouncer_raw_response, :error_message, :created_at, :updated_at)
-- name: restore_cost
INSERT INTO gmaps_api_costs (id, campaign_id, service, items_processed, cost_usd, metadata, incurred_at, created_at)
VALUES (:id, :campaign_id, :service, :items_processed, :cost_usd, :metadata, :incurred_at, :created_at)
-- name: restore_verification
INSERT INTO gmaps_email_verifications (id, business_id, campaign_id, facebook_enrichment_id, linkedin_enrichment_id, email, source, status, score, is_safe, is_disposable, is_role_based, is_free_email, is_gibberish, domain, provider, mx_records, smtp_check, reason, suggestion, raw_response, verified_at, created_at)
VALUES (:id, :business_id, :campaign_id, :facebook_enrichment_id, :linkedin_enrichment_id, :email, :source, :status, :score, :is_safe, :is_disposable, :is_role_based, :is_free_email, :is_gibberish, :domain, :provider, :mx_records, :smtp_check, :reason, :suggestion, :raw_response, :verified_at, :created_at)
