-- Detection v2: level shifts and new releases.
--
-- 1. The filter state keeps the level-shift monitor's memory per series (two CUSUMs with
--    their sums and reference level, and the recent deseasonalised days), so an online
--    run continues it. Older rows have none: the next run is a full one (the detection
--    settings changed too).
ALTER TABLE alert_filter_state ADD COLUMN steps DOUBLE[];
-- 2. alerts.kind gains 'release' (a track's first days; an artist total stepping up with
--    a new track). The column is VARCHAR: nothing to change but the meaning.
DELETE FROM model_runs WHERE job = 'alerts';
