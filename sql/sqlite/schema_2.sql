-- schema_2.sql — schema version 2 of the embedded engine: what the keyset
-- pages of the reads (src/sqlite/reads.c) need beyond version 1.
--
-- Applied after schema.sql to a new file, and alone to a file of version 1,
-- in the same transaction as the check of PRAGMA user_version (engine.c), so
-- an existing database gets it the first time a newer leadstore opens it.
-- A page of list_costs reads this index from where the previous page
-- ended; list_businesses uses idx_businesses_campaign and list_coverage the
-- UNIQUE (campaign_id, zip_code) index, both of version 1.

CREATE INDEX IF NOT EXISTS idx_api_costs_page ON gmaps_api_costs (campaign_id, incurred_at, id);

PRAGMA user_version = 2;
