-- schema.sql — the data model of SPEC §2 for the embedded engine (SQLite).
--
-- Applied once, in one transaction, when a database file is new
-- (PRAGMA user_version = 0); never at call time.
--
-- Column types name their representation, and the engine turns a row into
-- JSON from these declared types alone:
--   MONEY_INT  integer micro-dollars (1e-6 USD), printed as a JSON number
--   BOOL_INT   0/1, printed as true/false
--   JSON_TEXT  JSON text (lists and objects), printed as JSON
--   TEXT, INTEGER, REAL  as they are.  Ids are UUID text; timestamps are
--   ISO-8601 UTC text ("2026-11-29T18:42:12.123456Z"), which sorts in time order.
--
-- Child rows reference their business *and* campaign through one composite
-- foreign key, so a row can never belong to a business of another campaign
-- (SPEC §8.1); deleting a campaign deletes everything under it.

CREATE TABLE gmaps_campaigns (
  id                           TEXT PRIMARY KEY,
  name                         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
  description                  TEXT,
  keywords                     JSON_TEXT NOT NULL DEFAULT '[]',
  location                     TEXT,
  coverage_profile             TEXT NOT NULL DEFAULT 'balanced'
                               CHECK (coverage_profile IN ('aggressive', 'balanced', 'budget', 'custom')),
  custom_zip_codes             JSON_TEXT NOT NULL DEFAULT '[]',
  status                       TEXT NOT NULL DEFAULT 'draft'
                               CHECK (status IN ('draft', 'running', 'paused', 'completed', 'failed')),
  target_zip_count             INTEGER NOT NULL DEFAULT 0 CHECK (target_zip_count >= 0),
  actual_zip_count             INTEGER NOT NULL DEFAULT 0 CHECK (actual_zip_count >= 0),
  coverage_percentage          REAL,
  estimated_cost               MONEY_INT NOT NULL DEFAULT 0,
  google_maps_cost             MONEY_INT NOT NULL DEFAULT 0 CHECK (google_maps_cost >= 0),
  facebook_cost                MONEY_INT NOT NULL DEFAULT 0 CHECK (facebook_cost >= 0),
  linkedin_enrichment_cost     MONEY_INT NOT NULL DEFAULT 0 CHECK (linkedin_enrichment_cost >= 0),
  bouncer_verification_cost    MONEY_INT NOT NULL DEFAULT 0 CHECK (bouncer_verification_cost >= 0),
  actual_cost                  MONEY_INT NOT NULL DEFAULT 0 CHECK (actual_cost >= 0),
  total_businesses_found       INTEGER NOT NULL DEFAULT 0,
  total_emails_found           INTEGER NOT NULL DEFAULT 0,
  total_facebook_pages_found   INTEGER NOT NULL DEFAULT 0,
  total_linkedin_profiles_found INTEGER NOT NULL DEFAULT 0,
  total_verified_emails        INTEGER NOT NULL DEFAULT 0,
  organization_id              TEXT,
  created_by                   TEXT NOT NULL DEFAULT 'system',
  started_at                   TEXT,
  completed_at                 TEXT,
  created_at                   TEXT NOT NULL,
  updated_at                   TEXT NOT NULL
);
CREATE INDEX idx_campaigns_created ON gmaps_campaigns (created_at, id);
CREATE INDEX idx_campaigns_status ON gmaps_campaigns (status, created_at, id);
CREATE INDEX idx_campaigns_org ON gmaps_campaigns (organization_id, created_at, id);

CREATE TABLE gmaps_campaign_coverage (
  id               TEXT PRIMARY KEY,
  campaign_id      TEXT NOT NULL REFERENCES gmaps_campaigns (id) ON DELETE CASCADE,
  zip_code         TEXT NOT NULL CHECK (length(zip_code) BETWEEN 1 AND 10),
  keywords         JSON_TEXT NOT NULL DEFAULT '[]',
  max_results      INTEGER NOT NULL DEFAULT 200 CHECK (max_results BETWEEN 1 AND 1000),
  scraped          BOOL_INT NOT NULL DEFAULT 0,
  scraped_at       TEXT,
  businesses_found INTEGER NOT NULL DEFAULT 0 CHECK (businesses_found >= 0),
  emails_found     INTEGER NOT NULL DEFAULT 0 CHECK (emails_found >= 0),
  estimated_cost   MONEY_INT NOT NULL DEFAULT 0,
  actual_cost      MONEY_INT NOT NULL DEFAULT 0 CHECK (actual_cost >= 0),
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL,
  UNIQUE (campaign_id, zip_code)
);

CREATE TABLE gmaps_businesses (
  id                      TEXT PRIMARY KEY,
  campaign_id             TEXT NOT NULL REFERENCES gmaps_campaigns (id) ON DELETE CASCADE,
  zip_code                TEXT,
  place_id                TEXT NOT NULL,
  name                    TEXT NOT NULL,
  address                 TEXT,
  city                    TEXT,
  state                   TEXT,
  postal_code             TEXT,
  country                 TEXT,
  latitude                REAL,
  longitude               REAL,
  phone                   TEXT,
  website                 TEXT,
  email                   TEXT,
  email_source            TEXT NOT NULL DEFAULT 'not_found'
                          CHECK (email_source IN ('google_maps', 'facebook', 'linkedin', 'not_found')),
  email_verified          BOOL_INT NOT NULL DEFAULT 0,
  bouncer_status          TEXT,
  bouncer_score           REAL,
  bouncer_reason          TEXT,
  is_safe                 BOOL_INT,
  is_disposable           BOOL_INT,
  is_role_based           BOOL_INT,
  is_free_email           BOOL_INT,
  bouncer_verified_at     TEXT,
  category                TEXT,
  categories              JSON_TEXT NOT NULL DEFAULT '[]',
  description             TEXT,
  rating                  REAL,
  reviews_count           INTEGER,
  price_level             TEXT,
  hours                   JSON_TEXT,
  facebook_url            TEXT,
  instagram_url           TEXT,
  twitter_url             TEXT,
  linkedin_url            TEXT,
  needs_enrichment        BOOL_INT NOT NULL DEFAULT 0,
  enrichment_status       TEXT NOT NULL DEFAULT 'no_facebook'
                          CHECK (enrichment_status IN ('pending', 'enriched', 'no_facebook', 'failed')),
  enrichment_attempts     INTEGER NOT NULL DEFAULT 0,
  last_enrichment_attempt TEXT,
  linkedin_enriched       BOOL_INT NOT NULL DEFAULT 0,
  raw_data                JSON_TEXT,
  created_at              TEXT NOT NULL,
  updated_at              TEXT NOT NULL,
  UNIQUE (campaign_id, place_id),
  UNIQUE (id, campaign_id),
  CHECK ((email IS NULL) = (email_source = 'not_found'))
);
CREATE INDEX idx_businesses_campaign ON gmaps_businesses (campaign_id, created_at, id);
-- covers the counters and the lead totals: recounts read the index, not the rows
CREATE INDEX idx_businesses_email_state
  ON gmaps_businesses (campaign_id, email_source, email_verified, bouncer_status, is_safe);
CREATE INDEX idx_businesses_facebook_queue ON gmaps_businesses (campaign_id, created_at, id)
  WHERE needs_enrichment = 1 AND enrichment_status = 'pending';
CREATE INDEX idx_businesses_linkedin_queue ON gmaps_businesses (campaign_id, created_at, id)
  WHERE linkedin_enriched = 0;
CREATE INDEX idx_businesses_verification_queue ON gmaps_businesses (campaign_id, created_at, id)
  WHERE email IS NOT NULL AND email_verified = 0;

CREATE TABLE gmaps_facebook_enrichments (
  id                   TEXT PRIMARY KEY,
  business_id          TEXT NOT NULL,
  campaign_id          TEXT NOT NULL REFERENCES gmaps_campaigns (id) ON DELETE CASCADE,
  facebook_url         TEXT,
  page_name            TEXT,
  emails               JSON_TEXT NOT NULL DEFAULT '[]',
  primary_email        TEXT,
  email_sources        JSON_TEXT NOT NULL DEFAULT '[]',
  phone_numbers        JSON_TEXT NOT NULL DEFAULT '[]',
  success              BOOL_INT NOT NULL DEFAULT 0,
  error_message        TEXT,
  raw_data             JSON_TEXT,
  email_verified       BOOL_INT NOT NULL DEFAULT 0,
  bouncer_status       TEXT,
  bouncer_score        REAL,
  bouncer_reason       TEXT,
  is_safe              BOOL_INT,
  is_disposable        BOOL_INT,
  is_role_based        BOOL_INT,
  is_free_email        BOOL_INT,
  bouncer_verified_at  TEXT,
  bouncer_raw_response JSON_TEXT,
  enrichment_source    TEXT NOT NULL DEFAULT 'facebook_scraper',
  created_at           TEXT NOT NULL,
  updated_at           TEXT NOT NULL,
  UNIQUE (id, campaign_id),
  FOREIGN KEY (business_id, campaign_id) REFERENCES gmaps_businesses (id, campaign_id) ON DELETE CASCADE
);
CREATE INDEX idx_facebook_enrichments_business ON gmaps_facebook_enrichments (business_id, campaign_id);
CREATE INDEX idx_facebook_enrichments_campaign ON gmaps_facebook_enrichments (campaign_id, success);

CREATE TABLE gmaps_linkedin_enrichments (
  id                         TEXT PRIMARY KEY,
  business_id                TEXT NOT NULL,
  campaign_id                TEXT NOT NULL REFERENCES gmaps_campaigns (id) ON DELETE CASCADE,
  linkedin_url               TEXT,
  profile_type               TEXT CHECK (profile_type IN ('company', 'personal', 'unknown')),
  person_name                TEXT,
  person_title               TEXT,
  person_profile_url         TEXT,
  company_name               TEXT,
  location                   TEXT,
  connections                INTEGER,
  emails_found               JSON_TEXT NOT NULL DEFAULT '[]',
  emails_generated           JSON_TEXT NOT NULL DEFAULT '[]',
  primary_email              TEXT,
  email_source               TEXT,
  phone_numbers              JSON_TEXT NOT NULL DEFAULT '[]',
  phone_number               TEXT,
  email_extraction_attempted BOOL_INT NOT NULL DEFAULT 0,
  email_verified_source      TEXT,
  email_quality_tier         TEXT,
  email_verified             BOOL_INT NOT NULL DEFAULT 0,
  bouncer_status             TEXT,
  bouncer_score              REAL,
  bouncer_reason             TEXT,
  is_safe                    BOOL_INT,
  is_disposable              BOOL_INT,
  is_role_based              BOOL_INT,
  is_free_email              BOOL_INT,
  bouncer_verified_at        TEXT,
  bouncer_raw_response       JSON_TEXT,
  error_message              TEXT,
  created_at                 TEXT NOT NULL,
  updated_at                 TEXT NOT NULL,
  UNIQUE (id, campaign_id),
  FOREIGN KEY (business_id, campaign_id) REFERENCES gmaps_businesses (id, campaign_id) ON DELETE CASCADE
);
CREATE INDEX idx_linkedin_enrichments_business ON gmaps_linkedin_enrichments (business_id, campaign_id);
CREATE INDEX idx_linkedin_enrichments_campaign ON gmaps_linkedin_enrichments (campaign_id);
CREATE INDEX idx_linkedin_enrichments_profiles ON gmaps_linkedin_enrichments (campaign_id)
  WHERE linkedin_url IS NOT NULL;

CREATE TABLE gmaps_api_costs (
  id              TEXT PRIMARY KEY,
  campaign_id     TEXT NOT NULL REFERENCES gmaps_campaigns (id) ON DELETE CASCADE,
  service         TEXT NOT NULL CHECK (service IN ('google_maps', 'facebook', 'linkedin', 'bouncer')),
  items_processed INTEGER NOT NULL DEFAULT 0 CHECK (items_processed >= 0),
  cost_usd        MONEY_INT NOT NULL CHECK (cost_usd >= 0),
  metadata        JSON_TEXT,
  incurred_at     TEXT NOT NULL,
  created_at      TEXT NOT NULL
);
CREATE INDEX idx_api_costs_campaign ON gmaps_api_costs (campaign_id, service);

CREATE TABLE gmaps_email_verifications (
  id                     TEXT PRIMARY KEY,
  business_id            TEXT NOT NULL,
  campaign_id            TEXT NOT NULL REFERENCES gmaps_campaigns (id) ON DELETE CASCADE,
  facebook_enrichment_id TEXT,
  linkedin_enrichment_id TEXT,
  email                  TEXT NOT NULL,
  source                 TEXT NOT NULL CHECK (source IN ('google_maps', 'facebook', 'linkedin')),
  status                 TEXT NOT NULL,
  score                  REAL,
  is_safe                BOOL_INT NOT NULL DEFAULT 0,
  is_disposable          BOOL_INT,
  is_role_based          BOOL_INT,
  is_free_email          BOOL_INT,
  is_gibberish           BOOL_INT,
  domain                 TEXT,
  provider               TEXT,
  mx_records             BOOL_INT,
  smtp_check             BOOL_INT,
  reason                 TEXT,
  suggestion             TEXT,
  raw_response           JSON_TEXT,
  verified_at            TEXT NOT NULL,
  created_at             TEXT NOT NULL,
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
  id          TEXT PRIMARY KEY,
  campaign_id TEXT NOT NULL REFERENCES gmaps_campaigns (id) ON DELETE CASCADE,
  seq         INTEGER NOT NULL,  -- 1, 2, 3… per campaign: the order of the changes
  old_status  TEXT,
  new_status  TEXT NOT NULL,
  metadata    JSON_TEXT,
  changed_at  TEXT NOT NULL,
  UNIQUE (campaign_id, seq)
);

-- The idempotency record of SPEC §3.3: the first successful result of each
-- (organization, operation, request id).  organization_id is '' for service_role.
CREATE TABLE gmaps_rpc_requests (
  id              TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL DEFAULT '',
  operation       TEXT NOT NULL,
  request_id      TEXT NOT NULL,
  params_hash     TEXT NOT NULL,
  result          JSON_TEXT NOT NULL,
  created_at      TEXT NOT NULL,
  UNIQUE (organization_id, operation, request_id)
);

PRAGMA user_version = 1;
