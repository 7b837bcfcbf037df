-- leadstore:repeatable
-- 0008_read_policies.sql — who reads which rows directly from the tables
-- (Supabase/PostgREST: supabase.from('gmaps_businesses').select()).
--
-- Row-level security is on for every table (0001).  These policies are for
-- SELECT only: there is no INSERT, UPDATE or DELETE policy, and no client
-- role holds a table write privilege (ls_apply_grants of 0006 grants SELECT
-- on the tables to authenticated and service_role, nothing to anon or
-- PUBLIC), so every write goes through the SECURITY DEFINER functions.
--
--   authenticated  the rows of its organization: campaigns by organization_id,
--                  every child table through its campaign, the idempotency
--                  record by its organization column
--   service_role   every row (on Supabase the role has BYPASSRLS anyway; a
--                  role created by 0001 has not, hence its policies)
--   anon           nothing: no SELECT privilege at all
--
-- The caller's organization is the one the functions use: ls_caller_org()
-- (0002_support), the one rule of who a caller is — the session's role, with
-- the JWT claims in request.jwt.claims only narrowing it.  An authenticated
-- session is read as the organization of its claims; with no claims, claims
-- of service_role (they cannot out-rank the session) or malformed claims the
-- query fails (42501), as a call does.  It is wrapped in a scalar
-- subquery so it runs once per query, not once per row.  A child table's test
-- is `campaign_id = ANY (ARRAY(<the organization's campaign ids>))`: the
-- array is computed once (on the organization index of gmaps_campaigns) and
-- the table is then read through its campaign_id index.  (`campaign_id IN
-- (SELECT …)` would read the same rows, but in a policy PostgreSQL keeps it
-- as a hashed subplan filter over a sequential scan of the whole table.)
-- Each statement below is idempotent (DROP POLICY IF EXISTS, then CREATE
-- POLICY): the file re-runs whenever it changes.

/*--- authenticated: its organization's rows -------------------------------------------*/

DROP POLICY IF EXISTS ls_read_own_organization ON gmaps_campaigns;
CREATE POLICY ls_read_own_organization ON gmaps_campaigns FOR SELECT TO authenticated
  USING (organization_id = (SELECT ls_caller_org()));

DROP POLICY IF EXISTS ls_read_own_organization ON gmaps_rpc_requests;
CREATE POLICY ls_read_own_organization ON gmaps_rpc_requests FOR SELECT TO authenticated
  USING (organization_id = (SELECT ls_caller_org()::text));

DO $children$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['gmaps_campaign_coverage', 'gmaps_businesses', 'gmaps_facebook_enrichments',
                           'gmaps_linkedin_enrichments', 'gmaps_api_costs', 'gmaps_email_verifications',
                           'gmaps_campaign_status_history']
  LOOP
    EXECUTE format('DROP POLICY IF EXISTS ls_read_own_organization ON %I', t);
    EXECUTE format('CREATE POLICY ls_read_own_organization ON %I FOR SELECT TO authenticated '
                   'USING (campaign_id = ANY (ARRAY(SELECT c.id FROM gmaps_campaigns c '
                   'WHERE c.organization_id = (SELECT ls_caller_org()))))', t);
  END LOOP;
END
$children$;

/*--- service_role: every row --------------------------------------------------------------*/

DO $service$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['gmaps_campaigns', 'gmaps_campaign_coverage', 'gmaps_businesses',
                           'gmaps_facebook_enrichments', 'gmaps_linkedin_enrichments', 'gmaps_api_costs',
                           'gmaps_email_verifications', 'gmaps_campaign_status_history', 'gmaps_rpc_requests']
  LOOP
    EXECUTE format('DROP POLICY IF EXISTS ls_read_all ON %I', t);
    EXECUTE format('CREATE POLICY ls_read_all ON %I FOR SELECT TO service_role USING (true)', t);
  END LOOP;
END
$service$;
