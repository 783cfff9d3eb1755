-- Today (the landing page): the ranked opportunity list across the catalogue. Written only by
-- the "today" batch job from what the other jobs persisted, replaced as a whole on every run
-- (run_id links the rows to their model_runs row). Read through data/queries/today.py (scoped
-- by label).
CREATE TABLE today_opportunities (
    run_id            BIGINT NOT NULL,
    rank              INTEGER NOT NULL,          -- 1 = best expected return per dollar
    label             VARCHAR NOT NULL,          -- the catalog label of the asset
    subject           VARCHAR NOT NULL,          -- track | artist
    id                VARCHAR NOT NULL,          -- the ISRC or the artist id
    action            VARCHAR NOT NULL,          -- push | sustain | promote | re-engage
    territory         VARCHAR,                   -- ISO 3166-1 alpha-2 code of the territory
    isrc              VARCHAR NOT NULL,          -- the track a campaign would plan for
    segment           VARCHAR,                   -- audience group 'age band:gender:subscription'
    expected_streams  DOUBLE NOT NULL,           -- incremental streams over a campaign window
    low               DOUBLE NOT NULL,           -- 80 % interval of expected_streams
    high              DOUBLE NOT NULL,
    cost_usd          DOUBLE NOT NULL,           -- the recommended spend
    score             DOUBLE NOT NULL,           -- expected incremental streams per dollar
    at_stake          DOUBLE NOT NULL,           -- raw streams at stake (gap, loss or base)
    reason            VARCHAR NOT NULL           -- one plain sentence built from the figures
);
