-- Stream forecasts: daily p10/p50/p90 for 90 days after the data's last day, for every track
-- and every artist total (per label) with at least a week of data. Written only by the
-- "forecast" batch job, replaced as a whole on every run (run_id links the rows to their
-- model_runs row). Read through data/queries/forecast.py (scoped).

-- One row per forecast series: a track (isrc set) or an artist's total within one label
-- (isrc NULL), with its 90-day total and interval.
CREATE TABLE forecast_series (
    run_id        BIGINT NOT NULL,
    series_id     VARCHAR PRIMARY KEY,       -- the isrc, or 'artist:ID@LABEL'
    kind          VARCHAR NOT NULL,          -- track | artist
    isrc          VARCHAR,
    artist_id     VARCHAR NOT NULL,
    label         VARCHAR NOT NULL,
    days_of_data  INTEGER NOT NULL,          -- days since the series' first stream
    young         BOOLEAN NOT NULL,          -- fewer than four weeks of data
    total_p10     DOUBLE NOT NULL,           -- streams over the whole horizon
    total_p50     DOUBLE NOT NULL,
    total_p90     DOUBLE NOT NULL
);

CREATE TABLE forecast_daily (
    run_id     BIGINT NOT NULL,
    series_id  VARCHAR NOT NULL,
    date       DATE NOT NULL,
    p10        DOUBLE NOT NULL,              -- streams that day: 10 % chance of fewer
    p50        DOUBLE NOT NULL,
    p90        DOUBLE NOT NULL,
    PRIMARY KEY (series_id, date)
);
