-- Listener rollups without a daily listener table (data/rollup_months.py): each
-- roll_listener_month row keeps the days of its month the listener had rows (bit d - 1 of
-- `days` = day d), which selects the listeners of any window, one inside a month included;
-- the identified streams per label x artist x day x country get their own small table.
-- roll_listener_day (one row per listener and day, about the facts' listener rows) goes.
CREATE TABLE roll_identified_day (
    label     VARCHAR,
    artist_id VARCHAR,
    date      DATE NOT NULL,
    country   VARCHAR NOT NULL,
    streams   BIGINT NOT NULL
);
INSERT INTO roll_identified_day SELECT c.label, c.artist_id, t.date, t.country, sum(t.streams) FROM trend_facts t LEFT JOIN catalog c ON c.isrc = t.isrc WHERE t.listener_id IS NOT NULL GROUP BY ALL ORDER BY c.label, t.date;
DROP TABLE roll_listener_day;
DROP TABLE roll_listener_month;
CREATE TABLE roll_listener_month (
    label     VARCHAR,
    artist_id VARCHAR,
    date      DATE NOT NULL,  -- the month's first day
    country   VARCHAR NOT NULL,
    lid       INTEGER NOT NULL,
    days      INTEGER NOT NULL  -- bit d - 1 set: a row on day d
);
-- Every listener id of the facts has a key (027 keyed them all; this adds any missing).
INSERT INTO listener_keys SELECT n.listener_id, k.top + row_number() OVER (ORDER BY n.listener_id) FROM (SELECT DISTINCT listener_id FROM trend_facts WHERE listener_id IS NOT NULL) n, (SELECT coalesce(max(lid), 0) AS top FROM listener_keys) k WHERE NOT EXISTS (SELECT 1 FROM listener_keys o WHERE o.listener_id = n.listener_id);
INSERT INTO roll_listener_month SELECT c.label, c.artist_id, date_trunc('month', r.date)::DATE AS month, r.country, k.lid, bit_or((1 << (day(r.date) - 1))::INTEGER) FROM trend_facts r LEFT JOIN catalog c ON c.isrc = r.isrc JOIN listener_keys k ON k.listener_id = r.listener_id WHERE r.listener_id IS NOT NULL GROUP BY ALL ORDER BY c.label, month;
