-- leadstore:repeatable
-- 0011_upstream_aliases.sql — the upstream documents' other names for the
-- operations (upstream notes §3.10–3.11), so that callers written against
-- the plan work unchanged: thin wrappers that call the operation of SPEC §7
-- with the caller's own rights (SECURITY INVOKER: an alias can do nothing
-- its operation would refuse), executable by authenticated and service_role
-- only, like the operations.  Each is marked by its comment ("leadstore
-- alias of …"), which is how `leadstore uninstall` finds them.
--
-- The upstream's batch function raises an exception on a failure (all or
-- nothing, as the plan describes it); the others answer the operation's
-- result object.  update_enrichment_batch, whose semantics the documents
-- leave open, has no alias.

-- create_campaign_with_coverage(campaign_data, coverage_data jsonb[]): the _tx name without the suffix.
CREATE OR REPLACE FUNCTION public.create_campaign_with_coverage(campaign_data jsonb, coverage_data jsonb[] DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql SET search_path = public, pg_temp
AS $$ SELECT create_campaign_with_coverage_tx(p_campaign_data => campaign_data,
                                               p_coverage_data => to_jsonb(coalesce(coverage_data, '{}'::jsonb[]))) $$;
COMMENT ON FUNCTION public.create_campaign_with_coverage(jsonb, jsonb[]) IS
  'leadstore alias of create_campaign_with_coverage_tx';

-- batch_upsert_businesses_atomic(businesses jsonb[]): every element names its campaign_id (and
-- zip_code); one row per element, in order; any failure raises and nothing is kept.
CREATE OR REPLACE FUNCTION public.batch_upsert_businesses_atomic(businesses jsonb[])
RETURNS TABLE (business_id uuid, place_id text, created boolean)
LANGUAGE plpgsql SET search_path = public, pg_temp
AS $$
DECLARE
  e jsonb;
  r jsonb;
BEGIN
  FOREACH e IN ARRAY coalesce(businesses, '{}'::jsonb[]) LOOP
    r := batch_upsert_businesses_tx(p_campaign_id => e ->> 'campaign_id', p_zip_code => e ->> 'zip_code',
                                    p_businesses => jsonb_build_array(e - 'campaign_id' - 'zip_code'));
    IF NOT coalesce((r ->> 'success')::boolean, false) THEN
      RAISE EXCEPTION USING ERRCODE = coalesce(r ->> 'error_code', 'XX000'), MESSAGE = coalesce(r ->> 'error', 'failed');
    END IF;
    business_id := (r -> 'results' -> 0 ->> 'business_id')::uuid;
    place_id := r -> 'results' -> 0 ->> 'place_id';
    created := (r -> 'results' -> 0 ->> 'created')::boolean;
    RETURN NEXT;
  END LOOP;
END
$$;
COMMENT ON FUNCTION public.batch_upsert_businesses_atomic(jsonb[]) IS 'leadstore alias of batch_upsert_businesses_tx';

-- insert_businesses_batch(p_campaign_id, p_zip_code, p_businesses): the alternative design's name,
-- its result with `skipped` (always 0: a batch is all or nothing).
CREATE OR REPLACE FUNCTION public.insert_businesses_batch(p_campaign_id uuid, p_zip_code text, p_businesses jsonb)
RETURNS jsonb
LANGUAGE sql SET search_path = public, pg_temp
AS $$ SELECT CASE WHEN (r ->> 'success')::boolean THEN r || '{"skipped": 0}' ELSE r END
        FROM (SELECT batch_upsert_businesses_tx(p_campaign_id => p_campaign_id::text, p_zip_code => p_zip_code,
                                                p_businesses => p_businesses) AS r) t $$;
COMMENT ON FUNCTION public.insert_businesses_batch(uuid, text, jsonb) IS 'leadstore alias of batch_upsert_businesses_tx';

CREATE OR REPLACE FUNCTION public.save_facebook_enrichment_atomic(p_business_id uuid, p_campaign_id uuid,
                                                                  p_enrichment_data jsonb)
RETURNS jsonb
LANGUAGE sql SET search_path = public, pg_temp
AS $$ SELECT save_facebook_enrichment_tx(p_business_id => p_business_id::text, p_campaign_id => p_campaign_id::text,
                                          p_enrichment_data => p_enrichment_data) $$;
COMMENT ON FUNCTION public.save_facebook_enrichment_atomic(uuid, uuid, jsonb) IS
  'leadstore alias of save_facebook_enrichment_tx';

CREATE OR REPLACE FUNCTION public.save_linkedin_enrichment_atomic(p_business_id uuid, p_campaign_id uuid,
                                                                  p_enrichment_data jsonb)
RETURNS jsonb
LANGUAGE sql SET search_path = public, pg_temp
AS $$ SELECT save_linkedin_enrichment_tx(p_business_id => p_business_id::text, p_campaign_id => p_campaign_id::text,
                                          p_enrichment_data => p_enrichment_data) $$;
COMMENT ON FUNCTION public.save_linkedin_enrichment_atomic(uuid, uuid, jsonb) IS
  'leadstore alias of save_linkedin_enrichment_tx';

-- update_email_verification(p_business_id, p_email, p_verification_data): the business's own email.
CREATE OR REPLACE FUNCTION public.update_email_verification(p_business_id uuid, p_email text, p_verification_data jsonb)
RETURNS jsonb
LANGUAGE sql SET search_path = public, pg_temp
AS $$ SELECT update_email_verification_tx(p_source => 'google_maps', p_target_id => p_business_id::text,
                                           p_verification_data => coalesce(p_verification_data, '{}')
                                                                  || jsonb_build_object('email', p_email)) $$;
COMMENT ON FUNCTION public.update_email_verification(uuid, text, jsonb) IS 'leadstore alias of update_email_verification_tx';

-- update_email_verification_atomic(p_business_id, p_enrichment_type, p_verification_data) → boolean:
-- google_maps verifies the business itself; facebook or linkedin its latest enrichment of that kind.
CREATE OR REPLACE FUNCTION public.update_email_verification_atomic(p_business_id uuid, p_enrichment_type text,
                                                                   p_verification_data jsonb)
RETURNS boolean
LANGUAGE sql SET search_path = public, pg_temp
AS $$ SELECT coalesce((update_email_verification_tx(
                 p_source => p_enrichment_type,
                 p_target_id => CASE p_enrichment_type
                   WHEN 'facebook' THEN (SELECT f.id FROM gmaps_facebook_enrichments f WHERE f.business_id = p_business_id
                                          ORDER BY f.created_at DESC, f.id DESC LIMIT 1)
                   WHEN 'linkedin' THEN (SELECT l.id FROM gmaps_linkedin_enrichments l WHERE l.business_id = p_business_id
                                          ORDER BY l.created_at DESC, l.id DESC LIMIT 1)
                   ELSE p_business_id END::text,
                 p_verification_data => p_verification_data) ->> 'success')::boolean, false) $$;
COMMENT ON FUNCTION public.update_email_verification_atomic(uuid, text, jsonb) IS
  'leadstore alias of update_email_verification_tx';

-- Like the operations: authenticated and service_role only.
DO $grants$
DECLARE
  f regprocedure;
BEGIN
  FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
            WHERE p.pronamespace = 'public'::regnamespace AND obj_description(p.oid, 'pg_proc') LIKE 'leadstore alias of %'
  LOOP
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC, anon', f);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO authenticated, service_role', f);
  END LOOP;
END
$grants$;
