-- roll_listener_month names its label and artist by one integer (data/rollup_months.py):
-- on a delivery where almost every listener row is its own listener-month group, writing the
-- two strings a row was a third of the aggregates stage. artist_keys numbers the catalog's
-- (label, artist) pairs in label order; the rows are rewritten from the table as it is (no
-- rescan of the facts). Rows of tracks the catalog does not know (no label) have no key and
-- go, as a refresh now leaves them out: no scope ever read them.
CREATE TABLE artist_keys (
    label     VARCHAR NOT NULL,
    artist_id VARCHAR NOT NULL,
    ak        INTEGER NOT NULL
);
INSERT INTO artist_keys SELECT label, artist_id, row_number() OVER (ORDER BY label, artist_id) FROM (SELECT DISTINCT label, artist_id FROM catalog);
CREATE TABLE roll_listener_month_031 (
    ak      INTEGER NOT NULL,
    date    DATE NOT NULL,  -- the month's first day
    country VARCHAR NOT NULL,
    lid     INTEGER NOT NULL,
    days    INTEGER NOT NULL  -- bit d - 1 set: a row on day d
);
INSERT INTO roll_listener_month_031 SELECT a.ak, m.date, m.country, m.lid, m.days FROM roll_listener_month m JOIN artist_keys a ON a.label = m.label AND a.artist_id = m.artist_id ORDER BY m.date, a.ak;
DROP TABLE roll_listener_month;
ALTER TABLE roll_listener_month_031 RENAME TO roll_listener_month;
