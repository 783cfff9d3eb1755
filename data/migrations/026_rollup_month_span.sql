-- roll_track_month keeps, per (track, country, month), the first and last day the pair had
-- rows that month: which tracks or countries a window has is then read from the monthly rows
-- alone (data/rollups.py, `presence`). Rebuilt from roll_track_day with the new columns.
ALTER TABLE roll_track_month ADD COLUMN first_day DATE;
ALTER TABLE roll_track_month ADD COLUMN last_day DATE;
DELETE FROM roll_track_month;
INSERT INTO roll_track_month SELECT label, artist_id, isrc, date_trunc('month', date)::DATE AS month, country, sum(streams), sum(active_streams), min(date), max(date) FROM roll_track_day WHERE true GROUP BY ALL ORDER BY label, month, isrc;
