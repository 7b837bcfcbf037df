-- repair.sql — `leadstore check --repair` (and the last part of `leadstore
-- adopt`): brings the data back to the invariants of SPEC §8 after writes
-- that bypassed leadstore's functions (the legacy application writing the
-- tables directly, before adoption or after `leadstore uninstall`).
--
-- One statement per `-- name:` block, run in this order in one transaction
-- by src/pg/adopt.c, each reported with the rows it changed; a statement
-- changes only rows that are wrong, so a second repair reports zeros.  They
-- use leadstore's rule functions (ls_email_clean, ls_source_rank …) and
-- decide as the operations do:
--   * an email that is not a well-formed address is cleared (and the
--     verification that described it), SPEC §5;
--   * email_source is re-derived where it is not one of the four or
--     disagrees with the email: linkedin or facebook when an enrichment of
--     that source offered this address, else google_maps (not_found without
--     an email);
--   * a business whose source ranks below the best enrichment that offered a
--     well-formed email takes that enrichment's email (the latest one's
--     primary_email, else its first good address), as the priority rule
--     would have done had the enrichments come through the operations;
--   * the status history follows the status (a row appended for each change
--     made behind its back), started_at and completed_at follow the history;
--   * the counters and cost totals are recounted from the rows.

-- name: emails_not_well_formed
UPDATE gmaps_businesses
   SET email = ls_email_clean(email),
       email_verified = CASE WHEN ls_email_clean(email) IS NULL THEN false ELSE email_verified END,
       bouncer_status = CASE WHEN ls_email_clean(email) IS NULL THEN NULL ELSE bouncer_status END,
       bouncer_score = CASE WHEN ls_email_clean(email) IS NULL THEN NULL ELSE bouncer_score END,
       bouncer_reason = CASE WHEN ls_email_clean(email) IS NULL THEN NULL ELSE bouncer_reason END,
       is_safe = CASE WHEN ls_email_clean(email) IS NULL THEN NULL ELSE is_safe END,
       is_disposable = CASE WHEN ls_email_clean(email) IS NULL THEN NULL ELSE is_disposable END,
       is_role_based = CASE WHEN ls_email_clean(email) IS NULL THEN NULL ELSE is_role_based END,
       is_free_email = CASE WHEN ls_email_clean(email) IS NULL THEN NULL ELSE is_free_email END,
       bouncer_verified_at = CASE WHEN ls_email_clean(email) IS NULL THEN NULL ELSE bouncer_verified_at END
 WHERE email IS NOT NULL AND email IS DISTINCT FROM ls_email_clean(email)

-- name: email_source_derived
UPDATE gmaps_businesses b
   SET email_source = CASE
         WHEN b.email IS NULL THEN 'not_found'
         WHEN EXISTS (SELECT 1 FROM gmaps_linkedin_enrichments l WHERE l.business_id = b.id
                         AND (lower(ls_email_clean(l.primary_email)) = lower(b.email)
                              OR EXISTS (SELECT 1 FROM unnest(l.emails_found) e WHERE lower(ls_email_clean(e)) = lower(b.email))))
           OR lower(btrim(b.email_source)) IN ('linkedin', 'linkedin_verified', 'linkedin_direct')
           THEN 'linkedin'
         WHEN EXISTS (SELECT 1 FROM gmaps_facebook_enrichments f WHERE f.business_id = b.id
                         AND (lower(ls_email_clean(f.primary_email)) = lower(b.email)
                              OR EXISTS (SELECT 1 FROM unnest(f.emails) e WHERE lower(ls_email_clean(e)) = lower(b.email))))
           OR lower(btrim(b.email_source)) = 'facebook'
           THEN 'facebook'
         ELSE 'google_maps' END
 WHERE b.email_source IS NULL OR b.email_source <> ALL (ls_values('email_source'))
    OR (b.email IS NULL) <> (b.email_source = 'not_found')

-- name: email_from_enrichments
-- a business whose own source ranks below an enrichment's takes the best offer (SPEC §5: the
-- higher source first, then that source's latest enrichment); its verification stays only when
-- the address is the same
UPDATE gmaps_businesses b
   SET email = o.email, email_source = o.source,
       email_verified = CASE WHEN lower(o.email) = lower(b.email) THEN b.email_verified ELSE false END,
       bouncer_status = CASE WHEN lower(o.email) = lower(b.email) THEN b.bouncer_status END,
       bouncer_score = CASE WHEN lower(o.email) = lower(b.email) THEN b.bouncer_score END,
       bouncer_reason = CASE WHEN lower(o.email) = lower(b.email) THEN b.bouncer_reason END,
       is_safe = CASE WHEN lower(o.email) = lower(b.email) THEN b.is_safe END,
       is_disposable = CASE WHEN lower(o.email) = lower(b.email) THEN b.is_disposable END,
       is_role_based = CASE WHEN lower(o.email) = lower(b.email) THEN b.is_role_based END,
       is_free_email = CASE WHEN lower(o.email) = lower(b.email) THEN b.is_free_email END,
       bouncer_verified_at = CASE WHEN lower(o.email) = lower(b.email) THEN b.bouncer_verified_at END
  FROM (SELECT DISTINCT ON (business_id) business_id, email, source
          FROM (SELECT l.business_id, l.created_at, l.id, 'linkedin' AS source,
                       coalesce(ls_email_clean(l.primary_email),
                                (SELECT ls_email_clean(x) FROM unnest(l.emails_found) WITH ORDINALITY AS t(x, i)
                                  WHERE ls_email_clean(x) IS NOT NULL ORDER BY i LIMIT 1)) AS email
                  FROM gmaps_linkedin_enrichments l
                UNION ALL
                SELECT f.business_id, f.created_at, f.id, 'facebook',
                       coalesce(ls_email_clean(f.primary_email),
                                (SELECT ls_email_clean(x) FROM unnest(f.emails) WITH ORDINALITY AS t(x, i)
                                  WHERE ls_email_clean(x) IS NOT NULL ORDER BY i LIMIT 1))
                  FROM gmaps_facebook_enrichments f) offered
         WHERE email IS NOT NULL
         ORDER BY business_id, ls_source_rank(source) DESC, created_at DESC, id DESC) o
 WHERE o.business_id = b.id AND ls_source_rank(b.email_source) < ls_source_rank(o.source)

-- name: history_first_row
INSERT INTO gmaps_campaign_status_history (campaign_id, seq, old_status, new_status, metadata, changed_at)
SELECT c.id, 1, NULL, ls_status_initial(), jsonb_build_object('reconstructed', true), c.created_at
  FROM gmaps_campaigns c
 WHERE NOT EXISTS (SELECT 1 FROM gmaps_campaign_status_history h WHERE h.campaign_id = c.id)

-- name: history_started
INSERT INTO gmaps_campaign_status_history (campaign_id, seq, old_status, new_status, metadata, changed_at)
SELECT c.id, last.seq + 1, last.new_status, 'running', jsonb_build_object('reconstructed', true),
       greatest(c.started_at, last.changed_at)
  FROM gmaps_campaigns c
 CROSS JOIN LATERAL (SELECT seq, new_status, changed_at FROM gmaps_campaign_status_history h
                      WHERE h.campaign_id = c.id ORDER BY seq DESC LIMIT 1) last
 WHERE c.started_at IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM gmaps_campaign_status_history h WHERE h.campaign_id = c.id AND ls_status_started(h.new_status))

-- name: history_status
INSERT INTO gmaps_campaign_status_history (campaign_id, seq, old_status, new_status, metadata, changed_at)
SELECT c.id, last.seq + 1, last.new_status, c.status, jsonb_build_object('reconstructed', true),
       greatest(coalesce(c.completed_at, c.updated_at), last.changed_at)
  FROM gmaps_campaigns c
 CROSS JOIN LATERAL (SELECT seq, new_status, changed_at FROM gmaps_campaign_status_history h
                      WHERE h.campaign_id = c.id ORDER BY seq DESC LIMIT 1) last
 WHERE last.new_status IS DISTINCT FROM c.status

-- name: started_at_from_history
UPDATE gmaps_campaigns c
   SET started_at = (SELECT min(h.changed_at) FROM gmaps_campaign_status_history h
                      WHERE h.campaign_id = c.id AND ls_status_started(h.new_status))
 WHERE c.started_at IS NULL
   AND EXISTS (SELECT 1 FROM gmaps_campaign_status_history h WHERE h.campaign_id = c.id AND ls_status_started(h.new_status))

-- name: completed_at_from_status
UPDATE gmaps_campaigns c
   SET completed_at = CASE WHEN ls_status_terminal(c.status)
                           THEN (SELECT h.changed_at FROM gmaps_campaign_status_history h
                                  WHERE h.campaign_id = c.id ORDER BY seq DESC LIMIT 1) END
 WHERE (c.completed_at IS NOT NULL) <> ls_status_terminal(c.status)

-- name: counters_recounted
-- every campaign's counters recounted by update_campaign_statistics_tx itself (one recount,
-- stored when it differs); the rows are the campaigns whose counters had drifted
SELECT c.id FROM gmaps_campaigns c
 WHERE (ls_op_update_campaign_statistics_tx(jsonb_build_object('p_campaign_id', c.id), NULL) ->> 'drift_corrected')::boolean

-- name: costs_recomputed
UPDATE gmaps_campaigns c
   SET google_maps_cost = r.google_maps, facebook_cost = r.facebook, linkedin_enrichment_cost = r.linkedin,
       bouncer_verification_cost = r.bouncer, actual_cost = r.google_maps + r.facebook + r.linkedin + r.bouncer
  FROM (SELECT x.id,
               coalesce(sum(a.cost_usd) FILTER (WHERE a.service = 'google_maps'), 0) AS google_maps,
               coalesce(sum(a.cost_usd) FILTER (WHERE a.service = 'facebook'), 0) AS facebook,
               coalesce(sum(a.cost_usd) FILTER (WHERE a.service = 'linkedin'), 0) AS linkedin,
               coalesce(sum(a.cost_usd) FILTER (WHERE a.service = 'bouncer'), 0) AS bouncer
          FROM gmaps_campaigns x LEFT JOIN gmaps_api_costs a ON a.campaign_id = x.id
         GROUP BY x.id) r
 WHERE c.id = r.id
   AND (c.google_maps_cost, c.facebook_cost, c.linkedin_enrichment_cost, c.bouncer_verification_cost, c.actual_cost)
       IS DISTINCT FROM (r.google_maps, r.facebook, r.linkedin, r.bouncer, r.google_maps + r.facebook + r.linkedin + r.bouncer)
