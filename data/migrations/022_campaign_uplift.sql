-- Uplift of past campaigns per audience segment (ad vs no ad): written only by the campaigns
-- job's uplift step, replaced as a whole on every run. Read through
-- data/queries/campaign_uplift.py (a user sees only their labels' segments).
CREATE TABLE campaign_uplift (
    label               VARCHAR NOT NULL,    -- the catalog label of the campaigned tracks
    country             VARCHAR NOT NULL,
    age_band            VARCHAR NOT NULL,
    gender              VARCHAR NOT NULL,
    subscription        VARCHAR NOT NULL,
    fan_type            VARCHAR NOT NULL,    -- the campaigned artist's main fan type (Fan types)
    n_campaigns         INTEGER NOT NULL,
    baseline_streams    DOUBLE NOT NULL,     -- expected streams in the windows without the ads
    incremental_streams DOUBLE NOT NULL,     -- observed minus expected
    uplift              DOUBLE NOT NULL,     -- incremental / baseline
    low                 DOUBLE,              -- 90 % interval of uplift (bootstrap over
    high                DOUBLE,              -- campaigns); NULL for fewer than 3 campaigns
    score               DOUBLE NOT NULL,     -- the outcome models' predicted uplift (ranking)
    computed_at         TIMESTAMP NOT NULL
);
