-- Recommendations: written only by the "recommend" batch job, replaced as a whole on every
-- run (run_id links the rows to their model_runs row). Read through data/queries/recommend.py.

-- Held-out metrics of every candidate model on the time split (the production choice).
CREATE TABLE recommend_metrics (
    run_id        BIGINT NOT NULL,
    model         VARCHAR NOT NULL,
    metric        VARCHAR NOT NULL,
    value         DOUBLE                     -- NULL: not measurable (no new track held out)
);
-- Each track's likely adopters: listeners who do not stream it yet, best first.
CREATE TABLE recommend_adopters (
    run_id        BIGINT NOT NULL,
    isrc          VARCHAR NOT NULL,
    rank          INTEGER NOT NULL,
    listener_id   VARCHAR NOT NULL,          -- the hashed id the DSP delivered
    score         DOUBLE NOT NULL,
    country       VARCHAR,
    age_band      VARCHAR,
    gender        VARCHAR
);
-- Likely adopters per track x segment; expected = count x the held-out hit rate.
CREATE TABLE recommend_segments (
    run_id            BIGINT NOT NULL,
    isrc              VARCHAR NOT NULL,
    country           VARCHAR,
    age_band          VARCHAR,
    gender            VARCHAR,
    adopters          BIGINT NOT NULL,
    expected_adopters DOUBLE NOT NULL
);
-- Every track ranked for a track's listeners (kind 'track', key = ISRC) or a segment
-- (kind 'segment', key = 'country|age band'): what to promote to them next.
CREATE TABLE recommend_promote (
    run_id        BIGINT NOT NULL,
    kind          VARCHAR NOT NULL,
    key           VARCHAR NOT NULL,
    rank          INTEGER NOT NULL,
    isrc          VARCHAR NOT NULL,
    score         DOUBLE NOT NULL,
    lift          DOUBLE NOT NULL,
    reason        VARCHAR NOT NULL
);
-- Each listener's next tracks (across the catalogue; readers keep the ones in scope).
CREATE TABLE recommend_listener_tracks (
    run_id        BIGINT NOT NULL,
    listener_id   VARCHAR NOT NULL,
    rank          INTEGER NOT NULL,
    isrc          VARCHAR NOT NULL,
    score         DOUBLE NOT NULL
);
