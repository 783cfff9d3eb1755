-- The budget, recommend, similar and alerts jobs read their listener and demographic sums
-- from trend_facts (data/results/*.py): agg_group_week and agg_listener_month held 89 % and
-- 96 % of the facts' rows on the demo store, so they saved the jobs little and cost the
-- aggregates stage of every load most of its time. agg_daily and the rollups stay.
DROP TABLE agg_group_week;
DROP TABLE agg_listener_month;
