-- Monthly rollups that keep the first and last day of each month's rows, so which tracks,
-- countries or listeners a date window has is read from monthly rows (data/rollups.py,
-- `presence`; data/rollup_listeners.py).
-- roll_track_month: rebuilt from roll_track_day with the new columns.
ALTER TABLE roll_track_month ADD COLUMN first_day DATE;
ALTER TABLE roll_track_month ADD COLUMN last_day DATE;
DELETE FROM roll_track_month;
INSERT INTO roll_track_month SELECT label, artist_id, isrc, date_trunc('month', date)::DATE AS month, country, sum(streams), sum(active_streams), min(date), max(date) FROM roll_track_day WHERE true GROUP BY ALL ORDER BY label, month, isrc;
-- A dense integer key per listener id (never renumbered), and the listeners per month.
CREATE TABLE listener_keys (
    listener_id VARCHAR NOT NULL,
    lid         INTEGER NOT NULL
);
CREATE TABLE roll_listener_month (
    label     VARCHAR,
    artist_id VARCHAR,
    date      DATE NOT NULL,  -- the month's first day
    country   VARCHAR NOT NULL,
    lid       INTEGER NOT NULL,
    first_day DATE NOT NULL,
    last_day  DATE NOT NULL
);
INSERT INTO listener_keys SELECT listener_id, row_number() OVER (ORDER BY listener_id) FROM (SELECT DISTINCT listener_id FROM roll_listener_day);
INSERT INTO roll_listener_month SELECT r.label, r.artist_id, date_trunc('month', r.date)::DATE AS month, r.country, k.lid, min(r.date), max(r.date) FROM roll_listener_day r JOIN listener_keys k ON k.listener_id = r.listener_id GROUP BY ALL ORDER BY r.label, month;
