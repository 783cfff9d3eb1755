-- Response curves per territory (Territory budgets), written by the budget job from the
-- per-campaign lifts in campaign_lift. Relative uplift = ceiling * s^hill / (s^hill + K^hill)
-- at spend s, relative to the streams the track would have had without the campaign.
-- No rows when there are no measured campaign lifts yet.
CREATE TABLE territory_response (
    country              VARCHAR NOT NULL,
    platform             VARCHAR NOT NULL,   -- 'all': every platform pooled
    n_campaigns          INTEGER NOT NULL,   -- 0: the all-territory curve (no campaigns here)
    ceiling              DOUBLE NOT NULL,    -- most a campaign can lift the territory (relative)
    half_saturation_usd  DOUBLE NOT NULL,    -- K: the spend that buys half the ceiling
    hill                 DOUBLE NOT NULL,    -- steepness h (> 1: S-shaped)
    plateau_usd          DOUBLE NOT NULL,    -- marginal return down to 10 % of the curve's best
    cap_usd              DOUBLE NOT NULL,    -- the budget cap the curve sets (the plateau)
    cpa_usd              DOUBLE,             -- past campaigns here: spend per incremental stream
    window_days          DOUBLE NOT NULL,    -- typical campaign length the ceiling refers to
    ceiling_draws        DOUBLE[] NOT NULL,  -- posterior draws, for intervals
    k_draws              DOUBLE[] NOT NULL,
    hill_draws           DOUBLE[] NOT NULL,
    PRIMARY KEY (country, platform)
);
