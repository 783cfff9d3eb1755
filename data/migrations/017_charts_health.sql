-- Public chart imports and data health.
--
-- 1. source_t gains 'unknown': a public chart row says how often a track was streamed, not
--    from where (search, playlist, ...). DuckDB cannot add a value to an ENUM in place, so
--    every column of the type goes through VARCHAR while the type is recreated.
ALTER TABLE trend_facts ALTER COLUMN source TYPE VARCHAR;
ALTER TABLE agg_daily ALTER COLUMN source TYPE VARCHAR;
ALTER TABLE agg_group_week ALTER COLUMN source TYPE VARCHAR;
DROP TYPE source_t;
CREATE TYPE source_t AS ENUM ('search', 'collection', 'album', 'artist', 'user_playlist',
    'editorial_playlist', 'algorithmic_playlist', 'radio', 'chart', 'other', 'unknown');
ALTER TABLE trend_facts ALTER COLUMN source TYPE source_t;
ALTER TABLE agg_daily ALTER COLUMN source TYPE source_t;
ALTER TABLE agg_group_week ALTER COLUMN source TYPE source_t;

-- 2. A catalog row made from chart data has no real ISRC: it gets a placeholder in the
--    reserved "XX" range (data/vocab.py PLACEHOLDER_ISRC_PREFIX) and this flag.
ALTER TABLE catalog ADD COLUMN isrc_placeholder BOOLEAN NOT NULL DEFAULT false;

-- 3. Data health: per DSP and day, how complete the delivery was (coverage) and what was
--    wrong with it (health_issues). Written by the "health" batch job with its model_runs
--    row; the alerts job reads health_issues to leave the affected days out.
CREATE TABLE health_coverage (
    dsp        VARCHAR NOT NULL,
    date       DATE NOT NULL,
    tracks     BIGINT NOT NULL,       -- distinct ISRCs delivered (0 on a missing day)
    countries  BIGINT NOT NULL,       -- distinct territories delivered
    streams    BIGINT NOT NULL,
    expected_tracks DOUBLE,           -- the rolling median of the previous delivered days
    expected_countries DOUBLE,
    PRIMARY KEY (dsp, date)
);
CREATE TABLE health_issues (
    dsp        VARCHAR NOT NULL,
    date       DATE NOT NULL,
    kind       VARCHAR NOT NULL,      -- missing_day | partial_day | duplicate | late
    detail     VARCHAR NOT NULL,
    PRIMARY KEY (dsp, date, kind)
);
