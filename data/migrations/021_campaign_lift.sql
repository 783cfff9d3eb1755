-- Campaign outcomes: per-campaign counterfactual lift. Written only by the "campaigns" batch
-- job, replaced as a whole on every run; read through data/queries/campaigns.py (scoped) and
-- by the budget job (response curves). label_id is the catalog's label of the track.
CREATE TABLE campaign_lift (
    campaign_id VARCHAR PRIMARY KEY, label_id VARCHAR NOT NULL, artist_id VARCHAR NOT NULL,
    isrc VARCHAR NOT NULL, country VARCHAR NOT NULL, platform VARCHAR NOT NULL,
    start_date DATE NOT NULL, end_date DATE NOT NULL, spend_usd DOUBLE NOT NULL,
    incremental_streams DOUBLE,      -- point estimate over the campaign window (NULL when not estimable)
    low DOUBLE, high DOUBLE,         -- 90 % interval
    p_effect DOUBLE,                 -- posterior/bootstrapped probability the effect is > 0
    cpa_usd DOUBLE,                  -- spend / incremental_streams when the effect is positive, else NULL
    counterfactual_streams DOUBLE,   -- the targeted series' expected streams over the window without the campaign
    pre_fit_mape DOUBLE,             -- pre-period fit quality
    flag VARCHAR                     -- NULL | 'overlap' | 'poor_pre_fit' | 'too_little_data'
);

-- The observed-versus-counterfactual chart of each estimated campaign: the last weeks of its
-- pre-period (in-sample fit, no band) and its window (forecast with the 90 % band).
CREATE TABLE campaign_lift_daily (
    run_id          BIGINT NOT NULL,
    campaign_id     VARCHAR NOT NULL,
    date            DATE NOT NULL,
    observed        DOUBLE NOT NULL,         -- the track's streams in the country that day
    counterfactual  DOUBLE NOT NULL,         -- expected streams without the campaign
    low             DOUBLE,                  -- 90 % band of the counterfactual (window days)
    high            DOUBLE,
    PRIMARY KEY (campaign_id, date)
);
