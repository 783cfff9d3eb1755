-- Monthly rollups for distinct counts over any window (data/rollup_months.py): each monthly
-- row keeps the first and last day it had rows that month and a dense integer key in place
-- of its text id (tracks: track_keys; listeners: listener_keys). Keys are never renumbered.
CREATE TABLE track_keys (
    isrc VARCHAR NOT NULL,
    tid  INTEGER NOT NULL
);
CREATE TABLE listener_keys (
    listener_id VARCHAR NOT NULL,
    lid         INTEGER NOT NULL
);
ALTER TABLE roll_track_month ADD COLUMN first_day DATE;
ALTER TABLE roll_track_month ADD COLUMN last_day DATE;
ALTER TABLE roll_track_month ADD COLUMN tid INTEGER;
CREATE TABLE roll_listener_month (
    label     VARCHAR,
    artist_id VARCHAR,
    date      DATE NOT NULL,  -- the month's first day
    country   VARCHAR NOT NULL,
    lid       INTEGER NOT NULL,
    first_day DATE NOT NULL,
    last_day  DATE NOT NULL
);
INSERT INTO track_keys SELECT isrc, row_number() OVER (ORDER BY isrc) FROM (SELECT DISTINCT isrc FROM roll_track_day);
INSERT INTO listener_keys SELECT listener_id, row_number() OVER (ORDER BY listener_id) FROM (SELECT DISTINCT listener_id FROM roll_listener_day);
DELETE FROM roll_track_month;
INSERT INTO roll_track_month SELECT r.label, r.artist_id, r.isrc, date_trunc('month', r.date)::DATE AS month, r.country, sum(r.streams), sum(r.active_streams), min(r.date), max(r.date), k.tid FROM roll_track_day r JOIN track_keys k ON k.isrc = r.isrc GROUP BY ALL ORDER BY r.label, month, r.isrc;
INSERT INTO roll_listener_month SELECT r.label, r.artist_id, date_trunc('month', r.date)::DATE AS month, r.country, k.lid, min(r.date), max(r.date) FROM roll_listener_day r JOIN listener_keys k ON k.listener_id = r.listener_id GROUP BY ALL ORDER BY r.label, month;
-- The same per track and month, all countries together (distinct tracks without a country
-- filter: a few rows per track).
CREATE TABLE roll_track_month_total (
    label          VARCHAR,
    artist_id      VARCHAR,
    isrc           VARCHAR NOT NULL,
    date           DATE NOT NULL,  -- the month's first day
    streams        BIGINT NOT NULL,
    active_streams BIGINT NOT NULL,
    first_day      DATE NOT NULL,
    last_day       DATE NOT NULL,
    tid            INTEGER NOT NULL
);
INSERT INTO roll_track_month_total SELECT r.label, r.artist_id, r.isrc, date_trunc('month', r.date)::DATE AS month, sum(r.streams), sum(r.active_streams), min(r.date), max(r.date), k.tid FROM roll_track_date r JOIN track_keys k ON k.isrc = r.isrc GROUP BY ALL ORDER BY r.label, month, r.isrc;
