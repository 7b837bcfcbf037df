-- leadstore:repeatable
-- 0005_leads.sql — the lead operations of SPEC §7.5–§7.8 and §7.13 on PostgreSQL:
-- batch_upsert_businesses_tx, save_facebook_enrichment_tx, save_linkedin_enrichment_tx,
-- update_email_verification_tx and get_businesses_for_enrichment.  Each has a body
-- ls_op_<name>(p, p_org), run by the dispatcher ls_run() of 0002 (validation, caller,
-- replay, failure object); the public SECURITY DEFINER function with the contract's
-- name and parameters is generated from the operations table in 0003.  They mirror the embedded engine
-- (src/sqlite/businesses.c, enrichment.c, verification.c, email.c) result for result.
--
-- Locking: every write locks its campaign row first (for an enrichment or a
-- verification: finds the business's campaign, then locks it), then the business
-- rows, then the enrichment — the fixed order campaign → coverage → business →
-- enrichment of every operation, so concurrent writers queue per campaign and
-- never deadlock.  Because every writer of a campaign's businesses holds that
-- campaign's row lock, a row read after taking it stays current until commit.
--
-- Emails (SPEC §5): only well-formed addresses (ls_email_clean) are stored; one is
-- taken when its source ranks at least as high as the current email_source; the same
-- address (ASCII case-insensitively, like strcasecmp) only raises the source and keeps
-- the verification; a different one resets the verification columns.
-- Counters (SPEC §6) move once per call, by exactly what the call changed.

/*--- Helpers ---------------------------------------------------------------------------*/

-- ls_leads_known_keys(p_op, p_param), the keys an operation's data parameter lists, is
-- generated into 0003_operations.sql from the operations table, as literals.

-- raw_data of a data object: its own raw_data, else an object of its unknown keys,
-- else NULL.
CREATE OR REPLACE FUNCTION ls_leads_raw(p_obj jsonb, p_known text[]) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT coalesce(ls_json(p_obj, 'raw_data'), nullif(p_obj - p_known, '{}'::jsonb))
$$;

-- A validated ISO-8601 timestamp; without a zone it is UTC (as the embedded engine reads it).
CREATE OR REPLACE FUNCTION ls_leads_timestamp(p_text text) RETURNS timestamptz
LANGUAGE sql STABLE SET TimeZone = 'UTC'
AS $$ SELECT p_text::timestamptz $$;

-- The address an enrichment offers: primary_email when well-formed, else the first
-- well-formed address of the list p_list_key (trimmed), else NULL.
CREATE OR REPLACE FUNCTION ls_leads_offered_email(p_data jsonb, p_list_key text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT coalesce(
    ls_email_clean(CASE WHEN jsonb_typeof(p_data -> 'primary_email') = 'string' THEN p_data ->> 'primary_email' END),
    (SELECT ls_email_clean(x)
       FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(p_data -> p_list_key) = 'array' THEN p_data -> p_list_key END)
            WITH ORDINALITY AS t(x, i)
      WHERE ls_email_clean(x) IS NOT NULL
      ORDER BY i LIMIT 1))
$$;

-- The business the caller may see, with its campaign row locked first and then its
-- own row: P0002 "Business … not found" otherwise.  Two statements: the first finds
-- the business's campaign and locks it, the second locks the business.
CREATE OR REPLACE FUNCTION ls_leads_business(p_id uuid, p_org uuid) RETURNS gmaps_businesses
LANGUAGE plpgsql
AS $$
DECLARE
  b gmaps_businesses;
BEGIN
  PERFORM 1 FROM gmaps_campaigns c JOIN gmaps_businesses x ON x.campaign_id = c.id
   WHERE x.id = p_id AND (p_org IS NULL OR c.organization_id = p_org)
     FOR UPDATE OF c;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'Business % not found', p_id USING ERRCODE = 'P0002';
  END IF;
  SELECT * INTO b FROM gmaps_businesses WHERE id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'Business % not found', p_id USING ERRCODE = 'P0002';
  END IF;
  RETURN b;
END
$$;

-- Whether a business counts in total_verified_emails: its current email verified deliverable.
CREATE OR REPLACE FUNCTION ls_leads_verified(b gmaps_businesses) RETURNS boolean
LANGUAGE sql IMMUTABLE
AS $$ SELECT coalesce(b.email IS NOT NULL AND b.email_verified AND b.bouncer_status = ls_verified_status(), false) $$;

-- Offers a (cleaned, well-formed or NULL) email from p_source to the business b, its
-- locked row as it is now, under SPEC §5 (ls__sq_offer_email of the embedded engine);
-- returns the row as it is after: the email or its source changed when they differ
-- from b's.  The signature of earlier releases (the business's id, read again) is gone.
DROP FUNCTION IF EXISTS ls_leads_offer_email(uuid, text, text);
CREATE OR REPLACE FUNCTION ls_leads_offer_email(b gmaps_businesses, p_email text, p_source text)
RETURNS gmaps_businesses
LANGUAGE plpgsql
AS $$
DECLARE
  v_same boolean;
BEGIN
  IF p_email IS NULL OR ls_source_rank(p_source) < ls_source_rank(b.email_source) THEN
    RETURN b;
  END IF;
  v_same := b.email IS NOT NULL AND lower(b.email COLLATE "C") = lower(p_email COLLATE "C");
  IF v_same AND b.email_source = p_source THEN
    RETURN b;
  END IF;
  IF v_same THEN
    UPDATE gmaps_businesses SET email_source = p_source, updated_at = ls_now() WHERE id = b.id RETURNING * INTO b;
  ELSE
    UPDATE gmaps_businesses
       SET email = p_email, email_source = p_source, email_verified = false, bouncer_status = NULL,
           bouncer_score = NULL, bouncer_reason = NULL, is_safe = NULL, is_disposable = NULL, is_role_based = NULL,
           is_free_email = NULL, bouncer_verified_at = NULL, updated_at = ls_now()
     WHERE id = b.id
    RETURNING * INTO b;
  END IF;
  RETURN b;
END
$$;

-- Whether a business counts in total_safe_emails (0009): its current email verified and safe.
CREATE OR REPLACE FUNCTION ls_leads_safe(b gmaps_businesses) RETURNS boolean
LANGUAGE sql IMMUTABLE
AS $$ SELECT coalesce(b.email IS NOT NULL AND b.email_verified AND b.is_safe, false) $$;

-- The work queues of get_businesses_for_enrichment: whether a business waits in each.
-- The one definition of queue membership on this engine: the queue read's pages, the
-- queue counters (0010) moved by every write, their recount and ls_check() all call
-- these.  SQL and IMMUTABLE, so a query's call is inlined to the bare expression, which
-- is the predicate of the queue's partial index (idx_businesses_*_queue, 0001): the
-- page still walks that index.
CREATE OR REPLACE FUNCTION ls_queue_facebook(b gmaps_businesses) RETURNS boolean
LANGUAGE sql IMMUTABLE
AS $$ SELECT b.needs_enrichment AND b.enrichment_status = 'pending' $$;
CREATE OR REPLACE FUNCTION ls_queue_linkedin(b gmaps_businesses) RETURNS boolean
LANGUAGE sql IMMUTABLE
AS $$ SELECT NOT b.linkedin_enriched $$;
CREATE OR REPLACE FUNCTION ls_queue_verification(b gmaps_businesses) RETURNS boolean
LANGUAGE sql IMMUTABLE
AS $$ SELECT b.email IS NOT NULL AND NOT b.email_verified $$;

-- Adds deltas to a campaign's counters (SPEC §6, the lead totals of 0009: emails by
-- source, safe ones, and the queues of 0010); nothing when they are all zero.  plpgsql:
-- the columns of 0009 and 0010 are resolved when it runs.  The signatures of earlier
-- releases are gone.
DROP FUNCTION IF EXISTS ls_leads_counters_add(uuid, bigint, bigint, bigint, bigint, bigint);
DROP FUNCTION IF EXISTS ls_leads_counters_add(uuid, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint,
                                              bigint);
CREATE OR REPLACE FUNCTION ls_leads_counters_add(p_campaign uuid, p_businesses bigint, p_emails bigint,
                                                 p_facebook bigint, p_linkedin bigint, p_verified bigint,
                                                 p_linkedin_emails bigint, p_facebook_emails bigint,
                                                 p_google_maps_emails bigint, p_safe bigint,
                                                 p_facebook_queue bigint, p_linkedin_queue bigint,
                                                 p_verification_queue bigint) RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
  IF p_businesses = 0 AND p_emails = 0 AND p_facebook = 0 AND p_linkedin = 0 AND p_verified = 0
     AND p_linkedin_emails = 0 AND p_facebook_emails = 0 AND p_google_maps_emails = 0 AND p_safe = 0
     AND p_facebook_queue = 0 AND p_linkedin_queue = 0 AND p_verification_queue = 0 THEN
    RETURN;
  END IF;
  UPDATE gmaps_campaigns
     SET total_businesses_found = total_businesses_found + p_businesses,
         total_emails_found = total_emails_found + p_emails,
         total_facebook_pages_found = total_facebook_pages_found + p_facebook,
         total_linkedin_profiles_found = total_linkedin_profiles_found + p_linkedin,
         total_verified_emails = total_verified_emails + p_verified,
         linkedin_emails = linkedin_emails + p_linkedin_emails,
         facebook_emails = facebook_emails + p_facebook_emails,
         google_maps_emails = google_maps_emails + p_google_maps_emails,
         total_safe_emails = total_safe_emails + p_safe,
         facebook_queue = facebook_queue + p_facebook_queue,
         linkedin_queue = linkedin_queue + p_linkedin_queue,
         verification_queue = verification_queue + p_verification_queue,
         updated_at = ls_now()
   WHERE id = p_campaign;
END
$$;

-- The counters of one business that changed from p_old to p_new (the same row before
-- and after an operation), plus the enrichment counters p_facebook and p_linkedin
-- (ls__sq_biz_count of the embedded engine, taken away before and added after).
CREATE OR REPLACE FUNCTION ls_leads_counters_move(p_old gmaps_businesses, p_new gmaps_businesses,
                                                  p_facebook bigint, p_linkedin bigint) RETURNS void
LANGUAGE sql
AS $$
  SELECT ls_leads_counters_add(p_new.campaign_id, 0,
           (p_new.email IS NOT NULL)::int - (p_old.email IS NOT NULL)::int, p_facebook, p_linkedin,
           ls_leads_verified(p_new)::int - ls_leads_verified(p_old)::int,
           (p_new.email_source = 'linkedin')::int - (p_old.email_source = 'linkedin')::int,
           (p_new.email_source = 'facebook')::int - (p_old.email_source = 'facebook')::int,
           (p_new.email_source = 'google_maps')::int - (p_old.email_source = 'google_maps')::int,
           ls_leads_safe(p_new)::int - ls_leads_safe(p_old)::int,
           ls_queue_facebook(p_new)::int - ls_queue_facebook(p_old)::int,
           ls_queue_linkedin(p_new)::int - ls_queue_linkedin(p_old)::int,
           ls_queue_verification(p_new)::int - ls_queue_verification(p_old)::int)
$$;

-- The success object of both enrichment saves, from the business as it is now (the row the
-- save read back after its writes: no further read).
DROP FUNCTION IF EXISTS ls_leads_enrichment_result(uuid, uuid, boolean);
CREATE OR REPLACE FUNCTION ls_leads_enrichment_result(p_enrichment uuid, b gmaps_businesses, p_changed boolean)
RETURNS jsonb
LANGUAGE sql IMMUTABLE
AS $$
  SELECT jsonb_build_object('enrichment_id', p_enrichment, 'business_id', b.id, 'email_updated', p_changed,
                            'email', b.email, 'email_source', b.email_source)
$$;

/*--- batch_upsert_businesses_tx (SPEC §7.5) ---------------------------------------------*/

-- One set-based upsert.  The elements are read with their index; a place repeated in
-- the batch is folded first, as processing the repeats in order would leave it: each
-- scraped field takes its last non-null value, and the email is what offering each
-- well-formed email in turn leaves (the first of the trailing run of case-insensitively
-- equal addresses; the current one kept when every address of the batch is it).  The
-- final row of every place is then computed from the folded values and the current
-- (locked) row, and written by one INSERT … ON CONFLICT DO UPDATE.  Counted like the
-- embedded engine: `inserted` = new places, `updated` = the other elements (a repeat
-- of a new place is an update).
CREATE OR REPLACE FUNCTION ls_op_batch_upsert_businesses_tx(p jsonb, p_org uuid) RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
  v_campaign uuid := (p ->> 'p_campaign_id')::uuid;
  v_zip text := p ->> 'p_zip_code';
  v_list jsonb := p -> 'p_businesses';
  v_known text[] := ls_leads_known_keys('batch_upsert_businesses_tx', 'p_businesses');
  v_total integer := jsonb_array_length(p -> 'p_businesses');
  v_results jsonb;
  v_inserted bigint;
  v_emails bigint;
  v_verified bigint;
  v_by_linkedin bigint;
  v_by_facebook bigint;
  v_by_google_maps bigint;
  v_safe bigint;
  v_facebook_queue bigint;
  v_linkedin_queue bigint;
  v_verification_queue bigint;
BEGIN
  PERFORM ls_campaign_scrapable(v_campaign, p_org);
  -- lock the batch's known places in id order; each is looked up on the unique
  -- (campaign_id, place_id) index (LATERAL), so the cost follows the batch, not the campaign
  PERFORM 1 FROM gmaps_businesses b
   WHERE b.id IN (SELECT x.id
                    FROM (SELECT DISTINCT ls_text(e, 'place_id') AS place_id FROM jsonb_array_elements(v_list) AS e) k
                   CROSS JOIN LATERAL (SELECT y.id FROM gmaps_businesses y
                                        WHERE y.campaign_id = v_campaign AND y.place_id = k.place_id) x)
   ORDER BY b.id
     FOR UPDATE;

  WITH src AS (
    SELECT t.ord, ls_text(t.e, 'place_id') AS place_id, t.e
      FROM jsonb_array_elements(v_list) WITH ORDINALITY AS t(e, ord)
  ), val AS (
    SELECT ord, place_id,
           ls_text(e, 'name') AS name, ls_text(e, 'address') AS address, ls_text(e, 'city') AS city,
           ls_text(e, 'state') AS state, ls_text(e, 'postal_code') AS postal_code, ls_text(e, 'country') AS country,
           (ls_json(e, 'latitude') #>> '{}')::double precision AS latitude,
           (ls_json(e, 'longitude') #>> '{}')::double precision AS longitude,
           ls_text(e, 'phone') AS phone, ls_text(e, 'website') AS website, ls_text(e, 'category') AS category,
           CASE WHEN jsonb_typeof(e -> 'categories') = 'array' THEN e -> 'categories' END AS categories,
           ls_text(e, 'description') AS description,
           (ls_json(e, 'rating') #>> '{}')::double precision AS rating,
           trunc((ls_json(e, 'reviews_count') #>> '{}')::numeric)::integer AS reviews_count,
           ls_text(e, 'price_level') AS price_level, ls_json(e, 'hours') AS hours,
           ls_text(e, 'facebook_url') AS facebook_url, ls_text(e, 'instagram_url') AS instagram_url,
           ls_text(e, 'twitter_url') AS twitter_url, ls_text(e, 'linkedin_url') AS linkedin_url,
           ls_email_clean(CASE WHEN jsonb_typeof(e -> 'email') = 'string' THEN e ->> 'email' END) AS email,
           ls_leads_raw(e, v_known) AS raw_data
      FROM src
  ), folded AS (
    SELECT place_id, min(ord) AS first_ord,
           (array_agg(name ORDER BY ord DESC) FILTER (WHERE name IS NOT NULL))[1] AS name,
           (array_agg(address ORDER BY ord DESC) FILTER (WHERE address IS NOT NULL))[1] AS address,
           (array_agg(city ORDER BY ord DESC) FILTER (WHERE city IS NOT NULL))[1] AS city,
           (array_agg(state ORDER BY ord DESC) FILTER (WHERE state IS NOT NULL))[1] AS state,
           (array_agg(postal_code ORDER BY ord DESC) FILTER (WHERE postal_code IS NOT NULL))[1] AS postal_code,
           (array_agg(country ORDER BY ord DESC) FILTER (WHERE country IS NOT NULL))[1] AS country,
           (array_agg(latitude ORDER BY ord DESC) FILTER (WHERE latitude IS NOT NULL))[1] AS latitude,
           (array_agg(longitude ORDER BY ord DESC) FILTER (WHERE longitude IS NOT NULL))[1] AS longitude,
           (array_agg(phone ORDER BY ord DESC) FILTER (WHERE phone IS NOT NULL))[1] AS phone,
           (array_agg(website ORDER BY ord DESC) FILTER (WHERE website IS NOT NULL))[1] AS website,
           (array_agg(category ORDER BY ord DESC) FILTER (WHERE category IS NOT NULL))[1] AS category,
           (array_agg(categories ORDER BY ord DESC) FILTER (WHERE categories IS NOT NULL))[1] AS categories,
           (array_agg(description ORDER BY ord DESC) FILTER (WHERE description IS NOT NULL))[1] AS description,
           (array_agg(rating ORDER BY ord DESC) FILTER (WHERE rating IS NOT NULL))[1] AS rating,
           (array_agg(reviews_count ORDER BY ord DESC) FILTER (WHERE reviews_count IS NOT NULL))[1] AS reviews_count,
           (array_agg(price_level ORDER BY ord DESC) FILTER (WHERE price_level IS NOT NULL))[1] AS price_level,
           (array_agg(hours ORDER BY ord DESC) FILTER (WHERE hours IS NOT NULL))[1] AS hours,
           (array_agg(facebook_url ORDER BY ord DESC) FILTER (WHERE facebook_url IS NOT NULL))[1] AS facebook_url,
           (array_agg(instagram_url ORDER BY ord DESC) FILTER (WHERE instagram_url IS NOT NULL))[1] AS instagram_url,
           (array_agg(twitter_url ORDER BY ord DESC) FILTER (WHERE twitter_url IS NOT NULL))[1] AS twitter_url,
           (array_agg(linkedin_url ORDER BY ord DESC) FILTER (WHERE linkedin_url IS NOT NULL))[1] AS linkedin_url,
           (array_agg(raw_data ORDER BY ord DESC) FILTER (WHERE raw_data IS NOT NULL))[1] AS raw_data
      FROM val GROUP BY place_id
  ), em AS (
    -- each well-formed email, with the key of the place's last one
    SELECT place_id, ord, email, lower(email COLLATE "C") AS lk,
           first_value(lower(email COLLATE "C")) OVER (PARTITION BY place_id ORDER BY ord DESC) AS last_lk
      FROM val WHERE email IS NOT NULL
  ), em_run AS (
    -- j: the last email that differs from the last one (the trailing run starts after it)
    SELECT place_id, ord, email, lk, last_lk,
           max(ord) FILTER (WHERE lk <> last_lk) OVER (PARTITION BY place_id) AS j
      FROM em
  ), ef AS (
    SELECT place_id, bool_or(j IS NOT NULL) AS mixed, min(last_lk) AS lk,
           (array_agg(email ORDER BY ord) FILTER (WHERE ord > coalesce(j, 0)))[1] AS email
      FROM em_run GROUP BY place_id
  ), old AS (
    SELECT b.*, ls_leads_verified(b) AS verified, ls_leads_safe(b) AS safe, ls_queue_facebook(b) AS facebook_queue,
           ls_queue_linkedin(b) AS linkedin_queue, ls_queue_verification(b) AS verification_queue
      FROM folded k
     CROSS JOIN LATERAL (SELECT * FROM gmaps_businesses x WHERE x.campaign_id = v_campaign AND x.place_id = k.place_id) b
  ), fin AS (
    SELECT f.*, o.id AS old_id, o.zip_code AS old_zip_code, o.email AS old_email, o.email_source AS old_email_source,
           o.email_verified AS old_email_verified, o.bouncer_status AS old_bouncer_status,
           o.bouncer_score AS old_bouncer_score, o.bouncer_reason AS old_bouncer_reason, o.is_safe AS old_is_safe,
           o.is_disposable AS old_is_disposable, o.is_role_based AS old_is_role_based,
           o.is_free_email AS old_is_free_email, o.bouncer_verified_at AS old_bouncer_verified_at,
           o.enrichment_status AS old_enrichment_status, o.needs_enrichment AS old_needs_enrichment,
           o.address AS old_address, o.city AS old_city, o.state AS old_state, o.postal_code AS old_postal_code,
           o.country AS old_country, o.latitude AS old_latitude, o.longitude AS old_longitude, o.phone AS old_phone,
           o.website AS old_website, o.category AS old_category, o.categories AS old_categories,
           o.description AS old_description, o.rating AS old_rating, o.reviews_count AS old_reviews_count,
           o.price_level AS old_price_level, o.hours AS old_hours, o.facebook_url AS old_facebook_url,
           o.instagram_url AS old_instagram_url, o.twitter_url AS old_twitter_url, o.linkedin_url AS old_linkedin_url,
           o.raw_data AS old_raw_data, o.name AS old_name,
           ef.email AS new_email,
           CASE WHEN o.id IS NULL THEN ef.email IS NOT NULL
                ELSE ls_source_rank(o.email_source) <= ls_source_rank('google_maps') AND ef.email IS NOT NULL
                     AND (ef.mixed OR o.email IS NULL OR lower(o.email COLLATE "C") <> ef.lk) END AS takes_email
      FROM folded f
      LEFT JOIN ef ON ef.place_id = f.place_id
      LEFT JOIN old o ON o.place_id = f.place_id
  ), up AS (
    -- a new place takes the next id, a known one keeps its own (so ids are drawn
    -- for new places only, in input order, as the embedded engine draws them)
    INSERT INTO gmaps_businesses AS b (
      id, campaign_id, zip_code, place_id, name, address, city, state, postal_code, country, latitude, longitude, phone,
      website, email, email_source, email_verified, bouncer_status, bouncer_score, bouncer_reason, is_safe,
      is_disposable, is_role_based, is_free_email, bouncer_verified_at, category, categories, description, rating,
      reviews_count, price_level, hours, facebook_url, instagram_url, twitter_url, linkedin_url, needs_enrichment,
      enrichment_status, raw_data)
    SELECT coalesce(x.old_id, ls_new_id()), v_campaign, coalesce(x.old_zip_code, v_zip), x.place_id, coalesce(x.name, x.old_name),
           coalesce(x.address, x.old_address), coalesce(x.city, x.old_city), coalesce(x.state, x.old_state),
           coalesce(x.postal_code, x.old_postal_code), coalesce(x.country, x.old_country),
           coalesce(x.latitude, x.old_latitude), coalesce(x.longitude, x.old_longitude), coalesce(x.phone, x.old_phone),
           coalesce(x.website, x.old_website),
           CASE WHEN x.takes_email THEN x.new_email ELSE x.old_email END,
           CASE WHEN x.takes_email THEN 'google_maps' ELSE coalesce(x.old_email_source, 'not_found') END,
           CASE WHEN x.takes_email THEN false ELSE coalesce(x.old_email_verified, false) END,
           CASE WHEN NOT x.takes_email THEN x.old_bouncer_status END,
           CASE WHEN NOT x.takes_email THEN x.old_bouncer_score END,
           CASE WHEN NOT x.takes_email THEN x.old_bouncer_reason END,
           CASE WHEN NOT x.takes_email THEN x.old_is_safe END,
           CASE WHEN NOT x.takes_email THEN x.old_is_disposable END,
           CASE WHEN NOT x.takes_email THEN x.old_is_role_based END,
           CASE WHEN NOT x.takes_email THEN x.old_is_free_email END,
           CASE WHEN NOT x.takes_email THEN x.old_bouncer_verified_at END,
           coalesce(x.category, x.old_category),
           coalesce(CASE WHEN x.categories IS NOT NULL THEN ARRAY(SELECT jsonb_array_elements_text(x.categories)) END,
                    x.old_categories, '{}'),
           coalesce(x.description, x.old_description), coalesce(x.rating, x.old_rating),
           coalesce(x.reviews_count, x.old_reviews_count), coalesce(x.price_level, x.old_price_level),
           coalesce(x.hours, x.old_hours), coalesce(x.facebook_url, x.old_facebook_url),
           coalesce(x.instagram_url, x.old_instagram_url), coalesce(x.twitter_url, x.old_twitter_url),
           coalesce(x.linkedin_url, x.old_linkedin_url),
           CASE WHEN x.old_id IS NULL THEN x.facebook_url IS NOT NULL
                WHEN x.old_enrichment_status = 'no_facebook' AND x.facebook_url IS NOT NULL THEN true
                ELSE x.old_needs_enrichment END,
           CASE WHEN x.old_id IS NULL THEN CASE WHEN x.facebook_url IS NOT NULL THEN 'pending' ELSE 'no_facebook' END
                WHEN x.old_enrichment_status = 'no_facebook' AND x.facebook_url IS NOT NULL THEN 'pending'
                ELSE x.old_enrichment_status END,
           coalesce(x.raw_data, x.old_raw_data)
      FROM fin x
     ORDER BY x.first_ord
    ON CONFLICT (campaign_id, place_id) DO UPDATE
       SET name = EXCLUDED.name, address = EXCLUDED.address, city = EXCLUDED.city, state = EXCLUDED.state,
           postal_code = EXCLUDED.postal_code, country = EXCLUDED.country, latitude = EXCLUDED.latitude,
           longitude = EXCLUDED.longitude, phone = EXCLUDED.phone, website = EXCLUDED.website,
           email = EXCLUDED.email, email_source = EXCLUDED.email_source, email_verified = EXCLUDED.email_verified,
           bouncer_status = EXCLUDED.bouncer_status, bouncer_score = EXCLUDED.bouncer_score,
           bouncer_reason = EXCLUDED.bouncer_reason, is_safe = EXCLUDED.is_safe,
           is_disposable = EXCLUDED.is_disposable, is_role_based = EXCLUDED.is_role_based,
           is_free_email = EXCLUDED.is_free_email, bouncer_verified_at = EXCLUDED.bouncer_verified_at,
           category = EXCLUDED.category, categories = EXCLUDED.categories, description = EXCLUDED.description,
           rating = EXCLUDED.rating, reviews_count = EXCLUDED.reviews_count, price_level = EXCLUDED.price_level,
           hours = EXCLUDED.hours, facebook_url = EXCLUDED.facebook_url, instagram_url = EXCLUDED.instagram_url,
           twitter_url = EXCLUDED.twitter_url, linkedin_url = EXCLUDED.linkedin_url,
           needs_enrichment = EXCLUDED.needs_enrichment, enrichment_status = EXCLUDED.enrichment_status,
           raw_data = EXCLUDED.raw_data, updated_at = ls_now()
    RETURNING b.id, b.place_id, b.email, b.email_source, ls_leads_verified(b) AS verified, ls_leads_safe(b) AS safe,
              ls_queue_facebook(b) AS facebook_queue, ls_queue_linkedin(b) AS linkedin_queue,
              ls_queue_verification(b) AS verification_queue
  )
  SELECT (SELECT coalesce(jsonb_agg(jsonb_build_object('place_id', s.place_id, 'business_id', u.id,
                                                       'created', x.old_id IS NULL AND s.ord = x.first_ord)
                                    ORDER BY s.ord), '[]'::jsonb)
            FROM src s JOIN up u ON u.place_id = s.place_id JOIN fin x ON x.place_id = s.place_id),
         (SELECT count(*) FROM fin WHERE old_id IS NULL),
         (SELECT count(*) FILTER (WHERE email IS NOT NULL) FROM up)
           - (SELECT count(*) FILTER (WHERE old_email IS NOT NULL) FROM fin),
         (SELECT count(*) FILTER (WHERE verified) FROM up)
           - (SELECT count(*) FILTER (WHERE verified) FROM old),
         (SELECT count(*) FILTER (WHERE email_source = 'linkedin') FROM up)
           - (SELECT count(*) FILTER (WHERE email_source = 'linkedin') FROM old),
         (SELECT count(*) FILTER (WHERE email_source = 'facebook') FROM up)
           - (SELECT count(*) FILTER (WHERE email_source = 'facebook') FROM old),
         (SELECT count(*) FILTER (WHERE email_source = 'google_maps') FROM up)
           - (SELECT count(*) FILTER (WHERE email_source = 'google_maps') FROM old),
         (SELECT count(*) FILTER (WHERE safe) FROM up) - (SELECT count(*) FILTER (WHERE safe) FROM old),
         (SELECT count(*) FILTER (WHERE facebook_queue) FROM up)
           - (SELECT count(*) FILTER (WHERE facebook_queue) FROM old),
         (SELECT count(*) FILTER (WHERE linkedin_queue) FROM up)
           - (SELECT count(*) FILTER (WHERE linkedin_queue) FROM old),
         (SELECT count(*) FILTER (WHERE verification_queue) FROM up)
           - (SELECT count(*) FILTER (WHERE verification_queue) FROM old)
    INTO v_results, v_inserted, v_emails, v_verified, v_by_linkedin, v_by_facebook, v_by_google_maps, v_safe,
         v_facebook_queue, v_linkedin_queue, v_verification_queue;

  PERFORM ls_leads_counters_add(v_campaign, v_inserted, v_emails, 0, 0, v_verified, v_by_linkedin, v_by_facebook,
                                v_by_google_maps, v_safe, v_facebook_queue, v_linkedin_queue, v_verification_queue);
  RETURN jsonb_build_object('campaign_id', v_campaign, 'inserted', v_inserted, 'updated', v_total - v_inserted,
                            'total', v_total, 'results', v_results);
END
$$;

/*--- save_facebook_enrichment_tx (SPEC §7.6) --------------------------------------------*/

CREATE OR REPLACE FUNCTION ls_op_save_facebook_enrichment_tx(p jsonb, p_org uuid) RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
  v_business uuid := (p ->> 'p_business_id')::uuid;
  v_campaign uuid := (p ->> 'p_campaign_id')::uuid;
  d jsonb := p -> 'p_enrichment_data';
  v_success boolean := coalesce(d -> 'success' = 'true'::jsonb, false);
  b gmaps_businesses;
  v_id uuid;
  v_changed boolean;
  v_old gmaps_businesses;
BEGIN
  b := ls_leads_business(v_business, p_org);
  IF v_campaign IS NOT NULL AND v_campaign <> b.campaign_id THEN
    RAISE EXCEPTION 'p_campaign_id % is not the campaign of business %', v_campaign, v_business USING ERRCODE = '22023';
  END IF;
  v_old := b;

  INSERT INTO gmaps_facebook_enrichments (business_id, campaign_id, facebook_url, page_name, emails, primary_email,
                                          email_sources, phone_numbers, success, error_message, raw_data)
  VALUES (b.id, b.campaign_id, ls_text(d, 'facebook_url'), ls_text(d, 'page_name'), coalesce(ls_list(d, 'emails'), '{}'),
          ls_text(d, 'primary_email'), coalesce(ls_list(d, 'email_sources'), '{}'),
          coalesce(ls_list(d, 'phone_numbers'), '{}'), v_success, ls_text(d, 'error_message'),
          ls_leads_raw(d, ls_leads_known_keys('save_facebook_enrichment_tx', 'p_enrichment_data')))
  RETURNING id INTO v_id;

  UPDATE gmaps_businesses
     SET enrichment_attempts = enrichment_attempts + 1, last_enrichment_attempt = ls_now(),
         enrichment_status = CASE WHEN v_success THEN 'enriched' ELSE 'failed' END, needs_enrichment = false,
         updated_at = ls_now()
   WHERE id = b.id
  RETURNING * INTO b;
  b := ls_leads_offer_email(b, ls_leads_offered_email(d, 'emails'), 'facebook');
  v_changed := (b.email, b.email_source) IS DISTINCT FROM (v_old.email, v_old.email_source);

  PERFORM ls_leads_counters_move(v_old, b, v_success::int, 0);
  RETURN ls_leads_enrichment_result(v_id, b, v_changed);
END
$$;

/*--- save_linkedin_enrichment_tx (SPEC §7.7) --------------------------------------------*/

-- The verification a profile arrives with (upstream bouncer_* keys) counts when it
-- carries a status or the verified flag: email_verified is the flag, else "a status
-- other than error"; is_safe the flag, else the default rule of SPEC §7.8 when there
-- is a status.  Status and reason are trimmed (blank = absent), on the row and on the
-- business alike.
CREATE OR REPLACE FUNCTION ls_op_save_linkedin_enrichment_tx(p jsonb, p_org uuid) RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
  v_business uuid := (p ->> 'p_business_id')::uuid;
  v_campaign uuid := (p ->> 'p_campaign_id')::uuid;
  d jsonb := p -> 'p_enrichment_data';
  v_url text := ls_text(d, 'linkedin_url');
  v_flag boolean := ls_flag(d -> 'bouncer_verified');
  v_status text := ls_text(d, 'bouncer_status');
  v_score jsonb := ls_json(d, 'bouncer_score');
  v_has_verification boolean := v_flag IS NOT NULL OR v_status IS NOT NULL;
  v_verified boolean := coalesce(v_flag, v_status IS NOT NULL AND v_status <> 'error');
  v_is_safe boolean := coalesce(ls_flag(d -> 'bouncer_is_safe'),
                                CASE WHEN v_status IS NOT NULL THEN ls_is_safe_default(v_status, v_score) END);
  v_email text := ls_leads_offered_email(d, 'emails_found');
  b gmaps_businesses;
  v_id uuid;
  v_changed boolean;
  v_old gmaps_businesses;
BEGIN
  b := ls_leads_business(v_business, p_org);
  IF v_campaign IS NOT NULL AND v_campaign <> b.campaign_id THEN
    RAISE EXCEPTION 'p_campaign_id % is not the campaign of business %', v_campaign, v_business USING ERRCODE = '22023';
  END IF;
  v_old := b;

  INSERT INTO gmaps_linkedin_enrichments (
    business_id, campaign_id, linkedin_url, profile_type, person_name, person_title, person_profile_url,
    company_name, location, connections, emails_found, emails_generated, primary_email, email_source,
    phone_numbers, phone_number, email_extraction_attempted, email_verified_source, email_quality_tier,
    email_verified, bouncer_status, bouncer_score, bouncer_reason, is_safe, is_disposable, is_role_based,
    is_free_email, bouncer_verified_at, bouncer_raw_response, error_message)
  VALUES (
    b.id, b.campaign_id, v_url, ls_text(d, 'profile_type'), ls_text(d, 'person_name'), ls_text(d, 'person_title'),
    ls_text(d, 'person_profile_url'), ls_text(d, 'company_name'), ls_text(d, 'location'),
    trunc((ls_json(d, 'connections') #>> '{}')::numeric)::integer,
    coalesce(ls_list(d, 'emails_found'), '{}'), coalesce(ls_list(d, 'emails_generated'), '{}'),
    ls_text(d, 'primary_email'), ls_text(d, 'email_source'), coalesce(ls_list(d, 'phone_numbers'), '{}'),
    ls_text(d, 'phone_number'), coalesce(d -> 'email_extraction_attempted' = 'true'::jsonb, false),
    ls_text(d, 'email_verified_source'),
    CASE WHEN jsonb_typeof(d -> 'email_quality_tier') = 'number' THEN trunc((d ->> 'email_quality_tier')::numeric)::text
         ELSE ls_text(d, 'email_quality_tier') END,
    v_has_verification AND v_verified, ls_text(d, 'bouncer_status'), (v_score #>> '{}')::double precision,
    ls_text(d, 'bouncer_reason'), CASE WHEN v_has_verification THEN v_is_safe END,
    ls_flag(d -> 'bouncer_is_disposable'), ls_flag(d -> 'bouncer_is_role_based'), ls_flag(d -> 'bouncer_is_free_email'),
    ls_leads_timestamp(ls_text(d, 'bouncer_verified_at')), ls_json(d, 'bouncer_raw_response'), ls_text(d, 'error'))
  RETURNING id INTO v_id;

  UPDATE gmaps_businesses SET linkedin_enriched = true, linkedin_url = coalesce(v_url, linkedin_url), updated_at = ls_now()
   WHERE id = b.id
  RETURNING * INTO b;
  b := ls_leads_offer_email(b, v_email, 'linkedin');
  v_changed := (b.email, b.email_source) IS DISTINCT FROM (v_old.email, v_old.email_source);

  -- the enrichment's email is the business's (from LinkedIn): it takes the verification too
  IF v_has_verification AND v_email IS NOT NULL AND b.email_source = 'linkedin'
     AND lower(b.email COLLATE "C") = lower(v_email COLLATE "C") THEN
    UPDATE gmaps_businesses
       SET email_verified = v_verified, bouncer_status = v_status, bouncer_score = (v_score #>> '{}')::double precision,
           bouncer_reason = ls_text(d, 'bouncer_reason'),
           is_safe = v_is_safe, is_disposable = ls_flag(d -> 'bouncer_is_disposable'),
           is_role_based = ls_flag(d -> 'bouncer_is_role_based'), is_free_email = ls_flag(d -> 'bouncer_is_free_email'),
           bouncer_verified_at = coalesce(ls_leads_timestamp(d ->> 'bouncer_verified_at'), ls_now()), updated_at = ls_now()
     WHERE id = b.id
    RETURNING * INTO b;
  END IF;

  PERFORM ls_leads_counters_move(v_old, b, 0, (v_url IS NOT NULL)::int);
  RETURN ls_leads_enrichment_result(v_id, b, v_changed);
END
$$;

/*--- update_email_verification_tx (SPEC §7.8) -------------------------------------------*/

-- The verification lands on its target (google_maps: the business; facebook/linkedin:
-- that enrichment), appends one audit row, and reaches the business's verification
-- columns only when the verified address is its current email (case-insensitively).
-- Its reason is trimmed (blank = absent) everywhere.
CREATE OR REPLACE FUNCTION ls_op_update_email_verification_tx(p jsonb, p_org uuid) RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
  v_source text := p ->> 'p_source';
  v_target uuid := (p ->> 'p_target_id')::uuid;
  d jsonb := p -> 'p_verification_data';
  v_status text := d ->> 'status';
  v_score jsonb := ls_json(d, 'score');
  v_is_safe boolean := coalesce(ls_flag(d -> 'is_safe'), ls_is_safe_default(d ->> 'status', ls_json(d, 'score')));
  v_reason text := ls_text(d, 'reason');
  v_email text := ls_text(d, 'email');
  v_business uuid;
  v_facebook uuid;
  v_linkedin uuid;
  v_matches boolean;
  v_old gmaps_businesses;
  v_id uuid;
  b gmaps_businesses;
BEGIN
  IF v_source = 'facebook' THEN
    SELECT f.business_id INTO v_business
      FROM gmaps_facebook_enrichments f JOIN gmaps_campaigns c ON c.id = f.campaign_id
     WHERE f.id = v_target AND (p_org IS NULL OR c.organization_id = p_org);
    IF NOT FOUND THEN
      RAISE EXCEPTION 'Facebook enrichment % not found', v_target USING ERRCODE = 'P0002';
    END IF;
    v_facebook := v_target;
  ELSIF v_source = 'linkedin' THEN
    SELECT l.business_id INTO v_business
      FROM gmaps_linkedin_enrichments l JOIN gmaps_campaigns c ON c.id = l.campaign_id
     WHERE l.id = v_target AND (p_org IS NULL OR c.organization_id = p_org);
    IF NOT FOUND THEN
      RAISE EXCEPTION 'LinkedIn enrichment % not found', v_target USING ERRCODE = 'P0002';
    END IF;
    v_linkedin := v_target;
  ELSE
    v_business := v_target;
  END IF;
  b := ls_leads_business(v_business, p_org);  -- campaign, then business
  v_old := b;

  IF v_facebook IS NOT NULL THEN
    UPDATE gmaps_facebook_enrichments
       SET email_verified = v_status <> 'error', bouncer_status = v_status,
           bouncer_score = (v_score #>> '{}')::double precision, bouncer_reason = v_reason, is_safe = v_is_safe,
           is_disposable = ls_flag(d -> 'is_disposable'), is_role_based = ls_flag(d -> 'is_role_based'),
           is_free_email = ls_flag(d -> 'is_free_email'), bouncer_verified_at = ls_now(),
           bouncer_raw_response = ls_json(d, 'raw_response'), updated_at = ls_now()
     WHERE id = v_facebook;
  ELSIF v_linkedin IS NOT NULL THEN
    UPDATE gmaps_linkedin_enrichments
       SET email_verified = v_status <> 'error', bouncer_status = v_status,
           bouncer_score = (v_score #>> '{}')::double precision, bouncer_reason = v_reason, is_safe = v_is_safe,
           is_disposable = ls_flag(d -> 'is_disposable'), is_role_based = ls_flag(d -> 'is_role_based'),
           is_free_email = ls_flag(d -> 'is_free_email'), bouncer_verified_at = ls_now(),
           bouncer_raw_response = ls_json(d, 'raw_response'), updated_at = ls_now()
     WHERE id = v_linkedin;
  END IF;

  v_matches := b.email IS NOT NULL AND lower(b.email COLLATE "C") = lower(v_email COLLATE "C");
  IF v_matches THEN
    UPDATE gmaps_businesses
       SET email_verified = v_status <> 'error', bouncer_status = v_status,
           bouncer_score = (v_score #>> '{}')::double precision, bouncer_reason = v_reason, is_safe = v_is_safe,
           is_disposable = ls_flag(d -> 'is_disposable'), is_role_based = ls_flag(d -> 'is_role_based'),
           is_free_email = ls_flag(d -> 'is_free_email'), bouncer_verified_at = ls_now(), updated_at = ls_now()
     WHERE id = b.id
    RETURNING * INTO b;
  END IF;

  INSERT INTO gmaps_email_verifications (
    business_id, campaign_id, facebook_enrichment_id, linkedin_enrichment_id, email, source, status, score, is_safe,
    is_disposable, is_role_based, is_free_email, is_gibberish, domain, provider, mx_records, smtp_check, reason,
    suggestion, raw_response)
  VALUES (
    b.id, b.campaign_id, v_facebook, v_linkedin, v_email, v_source, ls_text(d, 'status'),
    (v_score #>> '{}')::double precision, v_is_safe, ls_flag(d -> 'is_disposable'), ls_flag(d -> 'is_role_based'),
    ls_flag(d -> 'is_free_email'), ls_flag(d -> 'is_gibberish'), ls_text(d, 'domain'), ls_text(d, 'provider'),
    ls_flag(d -> 'mx_records'), ls_flag(d -> 'smtp_check'), ls_text(d, 'reason'), ls_text(d, 'suggestion'),
    ls_json(d, 'raw_response'))
  RETURNING id INTO v_id;

  PERFORM ls_leads_counters_move(v_old, b, 0, 0);
  RETURN jsonb_build_object('business_id', b.id, 'source', v_source, 'verification_id', v_id,
                            'business_updated', v_matches);
END
$$;

/*--- get_businesses_for_enrichment (SPEC §7.13) -----------------------------------------*/

-- One work queue of a campaign, oldest first (created_at, then id), each page
-- written out with its queue's function so that it walks that queue's partial index;
-- the number waiting is a counter of the campaign row (0010).
CREATE OR REPLACE FUNCTION ls_op_get_businesses_for_enrichment(p jsonb, p_org uuid) RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
  v_campaign uuid := (p ->> 'p_campaign_id')::uuid;
  c gmaps_campaigns;
  v_type text := p ->> 'p_enrichment_type';
  v_limit integer := coalesce(trunc((ls_json(p, 'p_limit') #>> '{}')::numeric)::integer, 100);
  v_offset integer := coalesce(trunc((ls_json(p, 'p_offset') #>> '{}')::numeric)::integer, 0);
  v_list jsonb;
  v_total bigint;
BEGIN
  c := ls_campaign(v_campaign, p_org, false);
  IF v_type = 'facebook' THEN
    SELECT coalesce(jsonb_agg(ls_business_json(q.b) ORDER BY q.created_at, q.id), '[]'::jsonb) INTO v_list
      FROM (SELECT b, b.created_at, b.id FROM gmaps_businesses b
             WHERE b.campaign_id = v_campaign AND ls_queue_facebook(b)
             ORDER BY b.created_at, b.id LIMIT v_limit OFFSET v_offset) q;
    v_total := c.facebook_queue;
  ELSIF v_type = 'linkedin' THEN
    SELECT coalesce(jsonb_agg(ls_business_json(q.b) ORDER BY q.created_at, q.id), '[]'::jsonb) INTO v_list
      FROM (SELECT b, b.created_at, b.id FROM gmaps_businesses b
             WHERE b.campaign_id = v_campaign AND ls_queue_linkedin(b)
             ORDER BY b.created_at, b.id LIMIT v_limit OFFSET v_offset) q;
    v_total := c.linkedin_queue;
  ELSE
    SELECT coalesce(jsonb_agg(ls_business_json(q.b) ORDER BY q.created_at, q.id), '[]'::jsonb) INTO v_list
      FROM (SELECT b, b.created_at, b.id FROM gmaps_businesses b
             WHERE b.campaign_id = v_campaign AND ls_queue_verification(b)
             ORDER BY b.created_at, b.id LIMIT v_limit OFFSET v_offset) q;
    v_total := c.verification_queue;
  END IF;
  RETURN jsonb_build_object('businesses', v_list, 'total', v_total);
END
$$;

