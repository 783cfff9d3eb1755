-- The aggregates stage, lighter (bench/rollup_cost.py):
-- 1. roll_identified_day (migration 028) summed the streams that carry a listener id, only to
--    tell the Catalog whether a filter's listeners are known. Every row has at least one
--    stream, so they are known exactly when roll_listener_month has a row for the filter: the
--    listener count answers it, and the stage no longer scans the facts' listener rows twice.
-- 2. roll_track_day is built from agg_daily (not from a staged copy of roll_track_source's
--    new rows), so its n_active / n_passive count agg_daily rows, as roll_artist_day's do
--    (only "> 0" is read: whether a context has rows). Rewritten here, with roll_track_date
--    that sums them, so that a migrated store holds what a rebuild would.
DROP TABLE roll_identified_day;
DELETE FROM roll_track_day;
INSERT INTO roll_track_day SELECT c.label, c.artist_id, g.* FROM (SELECT d.isrc, d.date, d.country, sum(d.streams) AS streams, sum(CASE WHEN source IN ('search', 'collection', 'album', 'artist', 'user_playlist') THEN streams ELSE 0 END) AS active_streams, count(*) FILTER (WHERE source IN ('search', 'collection', 'album', 'artist', 'user_playlist')) AS n_active, count(*) FILTER (WHERE NOT source IN ('search', 'collection', 'album', 'artist', 'user_playlist')) AS n_passive FROM agg_daily d GROUP BY ALL) g LEFT JOIN catalog c ON c.isrc = g.isrc ORDER BY c.label, g.date;
DELETE FROM roll_track_date;
INSERT INTO roll_track_date SELECT c.label, c.artist_id, g.* FROM (SELECT isrc, date, sum(streams), sum(active_streams), sum(n_active), sum(n_passive) FROM roll_track_day GROUP BY ALL) g LEFT JOIN catalog c ON c.isrc = g.isrc ORDER BY c.label, g.date;
