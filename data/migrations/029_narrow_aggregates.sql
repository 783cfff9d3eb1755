-- Narrow the two aggregates about as large as the facts to the columns their readers use
-- (data/aggregates.py): writing their rows cost as much as the grouping in the aggregates
-- stage. agg_group_week keeps the budget's channel contracted to DSP and active/passive
-- streams (device, os and source were never read); agg_listener_month drops active_streams,
-- first_date and last_date (never read). Same partitions (week, month, DSP) as before.
CREATE TABLE agg_group_week_029 (
    week           DATE NOT NULL,
    dsp            VARCHAR NOT NULL,
    isrc           VARCHAR NOT NULL,
    country        VARCHAR NOT NULL,
    age_band       age_band_t NOT NULL,
    gender         gender_t NOT NULL,
    subscription   subscription_t NOT NULL,
    streams        BIGINT NOT NULL,
    active_streams BIGINT NOT NULL
);
INSERT INTO agg_group_week_029 SELECT week, dsp, isrc, country, age_band, gender, subscription, sum(streams), sum(CASE WHEN source IN ('search', 'collection', 'album', 'artist', 'user_playlist') THEN streams ELSE 0 END) FROM agg_group_week GROUP BY ALL;
DROP TABLE agg_group_week;
ALTER TABLE agg_group_week_029 RENAME TO agg_group_week;

CREATE TABLE agg_listener_month_029 (
    month          DATE NOT NULL,
    dsp            VARCHAR NOT NULL,
    listener_id    VARCHAR NOT NULL USING COMPRESSION zstd,
    isrc           VARCHAR NOT NULL,
    streams        BIGINT NOT NULL
);
INSERT INTO agg_listener_month_029 SELECT month, dsp, listener_id, isrc, streams FROM agg_listener_month;
DROP TABLE agg_listener_month;
ALTER TABLE agg_listener_month_029 RENAME TO agg_listener_month;
