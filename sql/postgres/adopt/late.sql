-- late.sql — the last steps of `leadstore adopt` on an upstream database,
-- after repair.sql gave every business a proper email_source: the email
-- constraints of 0001 (they could not hold before), and the original
-- free-text status of a campaign whose status was mapped, kept in the
-- metadata of its last history row.

-- name: businesses_email_constraints
ALTER TABLE gmaps_businesses
  ALTER COLUMN email_source SET DEFAULT 'not_found', ALTER COLUMN email_source SET NOT NULL,
  ADD CONSTRAINT gmaps_businesses_email_source_check
    CHECK (email_source IN ('google_maps', 'facebook', 'linkedin', 'not_found')),
  ADD CONSTRAINT gmaps_businesses_check CHECK ((email IS NULL) = (email_source = 'not_found'))

-- name: history_legacy_status
UPDATE gmaps_campaign_status_history h
   SET metadata = coalesce(h.metadata, '{}') || jsonb_build_object('legacy_status', o.status)
  FROM ls_adopt_status o JOIN gmaps_campaigns c ON c.id = o.id
 WHERE h.campaign_id = o.id AND o.status IS DISTINCT FROM c.status
   AND h.seq = (SELECT max(m.seq) FROM gmaps_campaign_status_history m WHERE m.campaign_id = o.id)
