-- Fan types per artist and label: an artist whose tracks sit on two labels gets one mix,
-- one set of listener types, breakdowns and targets per label, each from that label's tracks
-- only, so neither label sees the other's listeners. The tables hold derived results: they
-- are recreated empty and the job's run rows deleted, so `labelradar refresh --if-missing`
-- fits the model again.
DROP TABLE fan_mix;
DROP TABLE fan_assignments;
DROP TABLE fan_breakdowns;
DROP TABLE fan_targets;
DELETE FROM model_runs WHERE job = 'fans';

-- Each (artist, label)'s mix: posterior mean share and 90% interval, with its listener count.
CREATE TABLE fan_mix (
    artist_id     VARCHAR NOT NULL,
    label         VARCHAR NOT NULL,           -- the catalog label of the tracks counted
    profile_idx   INTEGER NOT NULL,
    profile       VARCHAR NOT NULL,
    share         DOUBLE NOT NULL,
    low           DOUBLE NOT NULL,
    high          DOUBLE NOT NULL,
    listeners     BIGINT NOT NULL,
    PRIMARY KEY (artist_id, label, profile_idx)
);
-- Each listener's most likely profile for an (artist, label) and its probability. Key
-- (artist_id, label, listener_id), not declared: an index over every listener-artist pair
-- would cost more memory than the check is worth (the job groups by that key).
CREATE TABLE fan_assignments (
    artist_id     VARCHAR NOT NULL,
    label         VARCHAR NOT NULL,
    listener_id   VARCHAR NOT NULL,
    streams       BIGINT NOT NULL,
    profile       VARCHAR NOT NULL,
    probability   DOUBLE NOT NULL
);
-- Expected listeners (summed membership probabilities) per (artist, label) x profile x
-- dimension value.
CREATE TABLE fan_breakdowns (
    artist_id     VARCHAR NOT NULL,
    label         VARCHAR NOT NULL,
    profile       VARCHAR NOT NULL,
    dim           VARCHAR NOT NULL,           -- age_band / gender / country
    value         VARCHAR NOT NULL,
    listeners     DOUBLE NOT NULL,
    PRIMARY KEY (artist_id, label, profile, dim, value)
);
-- Conversion targets of each (artist, label): age x gender x country segments ranked by
-- their conversion gap (listeners x diehard share of the unit - expected diehards).
CREATE TABLE fan_targets (
    artist_id              VARCHAR NOT NULL,
    label                  VARCHAR NOT NULL,
    rank                   INTEGER NOT NULL,
    age_band               VARCHAR NOT NULL,
    gender                 VARCHAR NOT NULL,
    country                VARCHAR NOT NULL,
    listeners              DOUBLE NOT NULL,
    passive_casual         DOUBLE NOT NULL,
    diehard                DOUBLE NOT NULL,
    segment_diehard_share  DOUBLE NOT NULL,
    artist_diehard_share   DOUBLE NOT NULL,
    gap                    DOUBLE NOT NULL,
    PRIMARY KEY (artist_id, label, rank)
);
