-- Rollups: aggregate tables at the grains the pages read (data/rollups.py explains them and
-- refreshes them with every load). label and artist_id are the catalog's, NULL for a track the
-- catalog does not know yet. This migration builds them for an existing store, in the
-- clustered order (label, then day; the drill-down table by track) DuckDB's zone maps use.
CREATE TABLE roll_track_source (
    label       VARCHAR,
    artist_id   VARCHAR,
    isrc        VARCHAR NOT NULL,
    date        DATE NOT NULL,
    country     VARCHAR NOT NULL,
    source      source_t NOT NULL,
    streams     BIGINT NOT NULL
);
CREATE TABLE roll_track_day (
    label          VARCHAR,
    artist_id      VARCHAR,
    isrc           VARCHAR NOT NULL,
    date           DATE NOT NULL,
    country        VARCHAR NOT NULL,
    streams        BIGINT NOT NULL,
    active_streams BIGINT NOT NULL,
    n_active       BIGINT NOT NULL,
    n_passive      BIGINT NOT NULL
);
CREATE TABLE roll_track_date (
    label          VARCHAR,
    artist_id      VARCHAR,
    isrc           VARCHAR NOT NULL,
    date           DATE NOT NULL,
    streams        BIGINT NOT NULL,
    active_streams BIGINT NOT NULL,
    n_active       BIGINT NOT NULL,
    n_passive      BIGINT NOT NULL
);
CREATE TABLE roll_track_month (
    label          VARCHAR,
    artist_id      VARCHAR,
    isrc           VARCHAR NOT NULL,
    date           DATE NOT NULL,  -- the month's first day
    country        VARCHAR NOT NULL,
    streams        BIGINT NOT NULL,
    active_streams BIGINT NOT NULL
);
-- n_active / n_passive: how many finer rows of each context the row sums (0: none), so a
-- split by context shows a series exactly where the rows have one (even with zero streams).
CREATE TABLE roll_artist_day (
    label          VARCHAR,
    artist_id      VARCHAR,
    date           DATE NOT NULL,
    country        VARCHAR NOT NULL,
    dsp            VARCHAR NOT NULL,
    streams        BIGINT NOT NULL,
    active_streams BIGINT NOT NULL,
    n_active       BIGINT NOT NULL,
    n_passive      BIGINT NOT NULL
);
CREATE TABLE roll_label_day (
    label          VARCHAR,
    date           DATE NOT NULL,
    country        VARCHAR NOT NULL,
    dsp            VARCHAR NOT NULL,
    streams        BIGINT NOT NULL,
    active_streams BIGINT NOT NULL,
    n_active       BIGINT NOT NULL,
    n_passive      BIGINT NOT NULL
);
-- Distinct listeners need the listener id; worldwide chart rows are not in agg_daily.
CREATE TABLE roll_listener_day (
    label       VARCHAR,
    artist_id   VARCHAR,
    date        DATE NOT NULL,
    country     VARCHAR NOT NULL,
    listener_id VARCHAR NOT NULL USING COMPRESSION zstd,
    streams     BIGINT NOT NULL
);
CREATE TABLE roll_worldwide_day (
    label       VARCHAR,
    artist_id   VARCHAR,
    isrc        VARCHAR NOT NULL,
    date        DATE NOT NULL,
    streams     BIGINT NOT NULL
);

-- The same statements as data/rollups.py refresh, over every day
-- (tests/data/test_rollups.py checks that they agree).
INSERT INTO roll_track_source SELECT c.label, c.artist_id, d.isrc, d.date, d.country, d.source, sum(d.streams) AS streams FROM agg_daily d LEFT JOIN catalog c ON c.isrc = d.isrc WHERE true GROUP BY ALL ORDER BY d.isrc, d.date;
INSERT INTO roll_track_day SELECT label, artist_id, isrc, date, country, sum(streams) AS streams, sum(CASE WHEN source IN ('search', 'collection', 'album', 'artist', 'user_playlist') THEN streams ELSE 0 END) AS active_streams, count(*) FILTER (WHERE source IN ('search', 'collection', 'album', 'artist', 'user_playlist')) AS n_active, count(*) FILTER (WHERE NOT source IN ('search', 'collection', 'album', 'artist', 'user_playlist')) AS n_passive FROM roll_track_source WHERE true GROUP BY ALL ORDER BY label, date, isrc;
INSERT INTO roll_track_date SELECT label, artist_id, isrc, date, sum(streams), sum(active_streams), sum(n_active), sum(n_passive) FROM roll_track_day WHERE true GROUP BY ALL ORDER BY label, date, isrc;
INSERT INTO roll_track_month SELECT label, artist_id, isrc, date_trunc('month', date)::DATE AS month, country, sum(streams), sum(active_streams) FROM roll_track_day WHERE true GROUP BY ALL ORDER BY label, month, isrc;
INSERT INTO roll_artist_day SELECT c.label, c.artist_id, d.date, d.country, d.dsp, sum(d.streams) AS streams, sum(CASE WHEN source IN ('search', 'collection', 'album', 'artist', 'user_playlist') THEN streams ELSE 0 END) AS active_streams, count(*) FILTER (WHERE source IN ('search', 'collection', 'album', 'artist', 'user_playlist')) AS n_active, count(*) FILTER (WHERE NOT source IN ('search', 'collection', 'album', 'artist', 'user_playlist')) AS n_passive FROM agg_daily d LEFT JOIN catalog c ON c.isrc = d.isrc WHERE true GROUP BY ALL ORDER BY c.label, d.date, c.artist_id;
INSERT INTO roll_label_day SELECT label, date, country, dsp, sum(streams), sum(active_streams), sum(n_active), sum(n_passive) FROM roll_artist_day WHERE true GROUP BY ALL ORDER BY label, date;
INSERT INTO roll_listener_day SELECT c.label, c.artist_id, t.date, t.country, t.listener_id, sum(t.streams) FROM trend_facts t LEFT JOIN catalog c ON c.isrc = t.isrc WHERE t.listener_id IS NOT NULL AND true GROUP BY ALL ORDER BY c.label, t.date;
INSERT INTO roll_worldwide_day SELECT c.label, c.artist_id, t.isrc, t.date, sum(t.streams) FROM trend_facts t LEFT JOIN catalog c ON c.isrc = t.isrc WHERE t.country = 'XW' AND true GROUP BY ALL ORDER BY c.label, t.date;
