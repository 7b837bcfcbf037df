-- 0001_schema.sql — the data model of SPEC §2 on PostgreSQL, and the roles
-- of a Supabase project.
--
-- Money is NUMERIC(14,6) (exact, 1e-6 USD); lists are text[]; JSON is jsonb;
-- timestamps are timestamptz.  Child rows reference their business *and*
-- campaign through one composite foreign key, so a row can never belong to
-- a business of another campaign; deleting a campaign deletes everything
-- under it.  Row-level security is enabled with no policy: clients reach the
-- data only through the SECURITY DEFINER functions of 0002.

DO $roles$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN CREATE ROLE anon NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN CREATE ROLE authenticated NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'service_role') THEN CREATE ROLE service_role NOLOGIN; END IF;
END
$roles$;

CREATE TABLE gmaps_campaigns (
  id                            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name                          text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 255),
  description                   text,
  keywords                      text[] NOT NULL DEFAULT '{}',
  location                      text,
  coverage_profile              text NOT NULL DEFAULT 'balanced'
                                CHECK (coverage_profile IN ('aggressive', 'balanced', 'budget', 'custom')),
  custom_zip_codes              text[] NOT NULL DEFAULT '{}',
  status                        text NOT NULL DEFAULT 'draft'
                                CHECK (status IN ('draft', 'running', 'paused', 'completed', 'failed')),
  target_zip_count              integer NOT NULL DEFAULT 0 CHECK (target_zip_count >= 0),
  actual_zip_count              integer NOT NULL DEFAULT 0 CHECK (actual_zip_count >= 0),
  coverage_percentage           double precision,
  estimated_cost                numeric(14,6) NOT NULL DEFAULT 0,
  google_maps_cost              numeric(14,6) NOT NULL DEFAULT 0 CHECK (google_maps_cost >= 0),
  facebook_cost                 numeric(14,6) NOT NULL DEFAULT 0 CHECK (facebook_cost >= 0),
  linkedin_enrichment_cost      numeric(14,6) NOT NULL DEFAULT 0 CHECK (linkedin_enrichment_cost >= 0),
  bouncer_verification_cost     numeric(14,6) NOT NULL DEFAULT 0 CHECK (bouncer_verification_cost >= 0),
  actual_cost                   numeric(14,6) NOT NULL DEFAULT 0 CHECK (actual_cost >= 0),
  total_businesses_found        integer NOT NULL DEFAULT 0,
  total_emails_found            integer NOT NULL DEFAULT 0,
  total_facebook_pages_found    integer NOT NULL DEFAULT 0,
  total_linkedin_profiles_found integer NOT NULL DEFAULT 0,
  total_verified_emails         integer NOT NULL DEFAULT 0,
  organization_id               uuid,
  created_by                    text NOT NULL DEFAULT 'system',
  started_at                    timestamptz,
  completed_at                  timestamptz,
  created_at                    timestamptz NOT NULL DEFAULT now(),
  updated_at                    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_campaigns_created ON gmaps_campaigns (created_at, id);
CREATE INDEX idx_campaigns_status ON gmaps_campaigns (status, created_at, id);
CREATE INDEX idx_campaigns_org ON gmaps_campaigns (organization_id, created_at, id);

CREATE TABLE gmaps_campaign_coverage (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  campaign_id      uuid NOT NULL REFERENCES gmaps_campaigns (id) ON DELETE CASCADE,
  zip_code         text NOT NULL CHECK (char_length(zip_code) BETWEEN 1 AND 10),
  keywords         text[] NOT NULL DEFAULT '{}',
  max_results      integer NOT NULL DEFAULT 200 CHECK (max_results BETWEEN 1 AND 1000),
  scraped          boolean NOT NULL DEFAULT false,
  scraped_at       timestamptz,
  businesses_found integer NOT NULL DEFAULT 0 CHECK (businesses_found >= 0),
  emails_found     integer NOT NULL DEFAULT 0 CHECK (emails_found >= 0),
  estimated_cost   numeric(14,6) NOT NULL DEFAULT 0,
  actual_cost      numeric(14,6) NOT NULL DEFAULT 0 CHECK (actual_cost >= 0),
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (campaign_id, zip_code)
);

CREATE TABLE gmaps_businesses (
  id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  campaign_id             uuid NOT NULL REFERENCES gmaps_campaigns (id) ON DELETE CASCADE,
  zip_code                text,
  place_id                text NOT NULL,
  name                    text NOT NULL,
  address                 text,
  city                    text,
  state                   text,
  postal_code             text,
  country                 text,
  latitude                double precision,
  longitude               double precision,
  phone                   text,
  website                 text,
  email                   text,
  email_source            text NOT NULL DEFAULT 'not_found'
                          CHECK (email_source IN ('google_maps', 'facebook', 'linkedin', 'not_found')),
  email_verified          boolean NOT NULL DEFAULT false,
  bouncer_status          text,
  bouncer_score           double precision,
  bouncer_reason          text,
  is_safe                 boolean,
  is_disposable           boolean,
  is_role_based           boolean,
  is_free_email           boolean,
  bouncer_verified_at     timestamptz,
  category                text,
  categories              text[] NOT NULL DEFAULT '{}',
  description             text,
  rating                  double precision,
  reviews_count           integer,
  price_level             text,
  hours                   jsonb,
  facebook_url            text,
  instagram_url           text,
  twitter_url             text,
  linkedin_url            text,
  needs_enrichment        boolean NOT NULL DEFAULT false,
  enrichment_status       text NOT NULL DEFAULT 'no_facebook'
                          CHECK (enrichment_status IN ('pending', 'enriched', 'no_facebook', 'failed')),
  enrichment_attempts     integer NOT NULL DEFAULT 0,
  last_enrichment_attempt timestamptz,
  linkedin_enriched       boolean NOT NULL DEFAULT false,
  raw_data                jsonb,
  created_at              timestamptz NOT NULL DEFAULT now(),
  updated_at              timestamptz NOT NULL DEFAULT now(),
  UNIQUE (campaign_id, place_id),
  UNIQUE (id, campaign_id),
  CHECK ((email IS NULL) = (email_source = 'not_found'))
);
CREATE INDEX idx_businesses_campaign ON gmaps_businesses (campaign_id, created_at, id);
CREATE INDEX idx_businesses_email_state
  ON gmaps_businesses (campaign_id, email_source, email_verified, bouncer_status, is_safe);
CREATE INDEX idx_businesses_facebook_queue ON gmaps_businesses (campaign_id, created_at, id)
  WHERE needs_enrichment AND enrichment_status = 'pending';
CREATE INDEX idx_businesses_linkedin_queue ON gmaps_businesses (campaign_id, created_at, id)
  WHERE NOT linkedin_enriched;
CREATE INDEX idx_businesses_verification_queue ON gmaps_businesses (campaign_id, created_at, id)
  WHERE email IS NOT NULL AND NOT email_verified;

CREATE TABLE gmaps_facebook_enrichments (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  business_id          uuid NOT NULL,
  campaign_id          uuid NOT NULL REFERENCES gmaps_campaigns (id) ON DELETE CASCADE,
  facebook_url         text,
  page_name            text,
  emails               text[] NOT NULL DEFAULT '{}',
  primary_email        text,
  email_sources        text[] NOT NULL DEFAULT '{}',
  phone_numbers        text[] NOT NULL DEFAULT '{}',
  success              boolean NOT NULL DEFAULT false,
  error_message        text,
  raw_data             jsonb,
  email_verified       boolean NOT NULL DEFAULT false,
  bouncer_status       text,
  bouncer_score        double precision,
  bouncer_reason       text,
  is_safe              boolean,
  is_disposable        boolean,
  is_role_based        boolean,
  is_free_email        boolean,
  bouncer_verified_at  timestamptz,
  bouncer_raw_response jsonb,
  enrichment_source    text NOT NULL DEFAULT 'facebook_scraper',
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  UNIQUE (id, campaign_id),
  FOREIGN KEY (business_id, campaign_id) REFERENCES gmaps_businesses (id, campaign_id) ON DELETE CASCADE
);
CREATE INDEX idx_facebook_enrichments_business ON gmaps_facebook_enrichments (business_id, campaign_id);
CREATE INDEX idx_facebook_enrichments_campaign ON gmaps_facebook_enrichments (campaign_id, success);

CREATE TABLE gmaps_linkedin_enrichments (
  id                         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  business_id                uuid NOT NULL,
  campaign_id                uuid NOT NULL REFERENCES gmaps_campaigns (id) ON DELETE CASCADE,
  linkedin_url               text,
  profile_type               text CHECK (profile_type IN ('company', 'personal', 'unknown')),
  person_name                text,
  person_title               text,
  person_profile_url         text,
  company_name               text,
  location                   text,
  connections                integer,
  emails_found               text[] NOT NULL DEFAULT '{}',
  emails_generated           text[] NOT NULL DEFAULT '{}',
  primary_email              text,
  email_source               text,
  phone_numbers              text[] NOT NULL DEFAULT '{}',
  phone_number               text,
  email_extraction_attempted boolean NOT NULL DEFAULT false,
  email_verified_source      text,
  email_quality_tier         text,
  email_verified             boolean NOT NULL DEFAULT false,
  bouncer_status             text,
  bouncer_score              double precision,
  bouncer_reason             text,
  is_safe                    boolean,
  is_disposable              boolean,
  is_role_based              boolean,
  is_free_email              boolean,
  bouncer_verified_at        timestamptz,
  bouncer_raw_response       jsonb,
  error_message              text,
  created_at                 timestamptz NOT NULL DEFAULT now(),
  updated_at                 timestamptz NOT NULL DEFAULT now(),
  UNIQUE (id, campaign_id),
  FOREIGN KEY (business_id, campaign_id) REFERENCES gmaps_businesses (id, campaign_id) ON DELETE CASCADE
);
CREATE INDEX idx_linkedin_enrichments_business ON gmaps_linkedin_enrichments (business_id, campaign_id);
CREATE INDEX idx_linkedin_enrichments_campaign ON gmaps_linkedin_enrichments (campaign_id);
CREATE INDEX idx_linkedin_enrichments_profiles ON gmaps_linkedin_enrichments (campaign_id)
  WHERE linkedin_url IS NOT NULL;

CREATE TABLE gmaps_api_costs (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  campaign_id     uuid NOT NULL REFERENCES gmaps_campaigns (id) ON DELETE CASCADE,
  service         text NOT NULL CHECK (service IN ('google_maps', 'facebook', 'linkedin', 'bouncer')),
  items_processed integer NOT NULL DEFAULT 0 CHECK (items_processed >= 0),
  cost_usd        numeric(14,6) NOT NULL CHECK (cost_usd >= 0),
  metadata        jsonb,
  incurred_at     timestamptz NOT NULL DEFAULT now(),
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_api_costs_campaign ON gmaps_api_costs (campaign_id, service);

CREATE TABLE gmaps_email_verifications (
  id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  business_id            uuid NOT NULL,
  campaign_id            uuid NOT NULL REFERENCES gmaps_campaigns (id) ON DELETE CASCADE,
  facebook_enrichment_id uuid,
  linkedin_enrichment_id uuid,
  email                  text NOT NULL,
  source                 text NOT NULL CHECK (source IN ('google_maps', 'facebook', 'linkedin')),
  status                 text NOT NULL,
  score                  double precision,
  is_safe                boolean NOT NULL DEFAULT false,
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
  verified_at            timestamptz NOT NULL DEFAULT now(),
  created_at             timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (business_id, campaign_id) REFERENCES gmaps_businesses (id, campaign_id) ON DELETE CASCADE,
  FOREIGN KEY (facebook_enrichment_id, campaign_id)
    REFERENCES gmaps_facebook_enrichments (id, campaign_id) ON DELETE CASCADE,
  FOREIGN KEY (linkedin_enrichment_id, campaign_id)
    REFERENCES gmaps_linkedin_enrichments (id, campaign_id) ON DELETE CASCADE
);
CREATE INDEX idx_email_verifications_business ON gmaps_email_verifications (business_id, campaign_id);
CREATE INDEX idx_email_verifications_facebook ON gmaps_email_verifications (facebook_enrichment_id, campaign_id);
CREATE INDEX idx_email_verifications_linkedin ON gmaps_email_verifications (linkedin_enrichment_id, campaign_id);
CREATE INDEX idx_email_verifications_campaign ON gmaps_email_verifications (campaign_id);

CREATE TABLE gmaps_campaign_status_history (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  campaign_id uuid NOT NULL REFERENCES gmaps_campaigns (id) ON DELETE CASCADE,
  seq         integer NOT NULL,  -- 1, 2, 3… per campaign: the order of the changes
  old_status  text,
  new_status  text NOT NULL,
  metadata    jsonb,
  changed_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (campaign_id, seq)
);

-- The idempotency record of SPEC §3.3 ('' = service_role).
CREATE TABLE gmaps_rpc_requests (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id text NOT NULL DEFAULT '',
  operation       text NOT NULL,
  request_id      text NOT NULL,
  params_hash     text NOT NULL,
  result          jsonb NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (organization_id, operation, request_id)
);

ALTER TABLE gmaps_campaigns ENABLE ROW LEVEL SECURITY;
ALTER TABLE gmaps_campaign_coverage ENABLE ROW LEVEL SECURITY;
ALTER TABLE gmaps_businesses ENABLE ROW LEVEL SECURITY;
ALTER TABLE gmaps_facebook_enrichments ENABLE ROW LEVEL SECURITY;
ALTER TABLE gmaps_linkedin_enrichments ENABLE ROW LEVEL SECURITY;
ALTER TABLE gmaps_api_costs ENABLE ROW LEVEL SECURITY;
ALTER TABLE gmaps_email_verifications ENABLE ROW LEVEL SECURITY;
ALTER TABLE gmaps_campaign_status_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE gmaps_rpc_requests ENABLE ROW LEVEL SECURITY;
