-- Fan types (issue 3): the persisted fan-profile model and its per-artist results, written
-- by the "fans" batch job in one transaction (each run replaces the previous rows).
CREATE TABLE fan_profiles (
    profile_idx   INTEGER PRIMARY KEY,        -- 0 = fewest streams
    name          VARCHAR NOT NULL,           -- passive / casual / diehard for three
    mean_streams  DOUBLE NOT NULL,
    mu            DOUBLE NOT NULL,            -- log-normal location (log streams)
    sigma         DOUBLE NOT NULL
);
-- Each profile's probability of each stream-level bin [low, high] (inclusive totals).
CREATE TABLE fan_profile_pmf (
    profile_idx   INTEGER NOT NULL,
    bin_idx       INTEGER NOT NULL,
    low           BIGINT NOT NULL,
    high          BIGINT NOT NULL,
    p             DOUBLE NOT NULL
);
-- Crossover between adjacent profiles: above `streams` the upper profile is more likely.
CREATE TABLE fan_thresholds (
    idx           INTEGER NOT NULL,
    lower_name    VARCHAR NOT NULL,
    upper_name    VARCHAR NOT NULL,
    streams       DOUBLE                      -- NULL when the profiles never cross
);
-- Held-out log-likelihood per pair behind the choice of the number of profiles.
CREATE TABLE fan_k_scores (
    k             INTEGER NOT NULL,
    seed          INTEGER NOT NULL,
    loglik        DOUBLE NOT NULL
);
-- Each artist's mix: posterior mean share and 90% interval, with its listener count.
CREATE TABLE fan_mix (
    artist_id     VARCHAR NOT NULL,
    profile_idx   INTEGER NOT NULL,
    profile       VARCHAR NOT NULL,
    share         DOUBLE NOT NULL,
    low           DOUBLE NOT NULL,
    high          DOUBLE NOT NULL,
    listeners     BIGINT NOT NULL
);
-- Each listener-artist pair's most likely profile and its probability.
CREATE TABLE fan_assignments (
    artist_id     VARCHAR NOT NULL,
    listener_id   VARCHAR NOT NULL,
    streams       BIGINT NOT NULL,
    profile       VARCHAR NOT NULL,
    probability   DOUBLE NOT NULL
);
-- Expected listeners (summed membership probabilities) per artist x profile x dimension value.
CREATE TABLE fan_breakdowns (
    artist_id     VARCHAR NOT NULL,
    profile       VARCHAR NOT NULL,
    dim           VARCHAR NOT NULL,           -- age_band / gender / country
    value         VARCHAR NOT NULL,
    listeners     DOUBLE NOT NULL
);
-- Conversion targets: age x gender x country segments ranked by their conversion gap
-- (listeners x artist diehard share - expected diehards), see docs/features/fans.md.
CREATE TABLE fan_targets (
    artist_id              VARCHAR NOT NULL,
    rank                   INTEGER NOT NULL,
    age_band               VARCHAR NOT NULL,
    gender                 VARCHAR NOT NULL,
    country                VARCHAR NOT NULL,
    listeners              DOUBLE NOT NULL,
    passive_casual         DOUBLE NOT NULL,
    diehard                DOUBLE NOT NULL,
    segment_diehard_share  DOUBLE NOT NULL,
    artist_diehard_share   DOUBLE NOT NULL,
    gap                    DOUBLE NOT NULL
);
