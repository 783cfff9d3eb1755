-- An event's move ("largest move") is now its largest spike or drop the event's way
-- (analytics/alerts/events.py), and an event with none (a release, a growth or decline
-- alone) has no move: NULL, shown "–". Before, a release's first day against a forecast of
-- about nothing read +12,300 %, and a decline whose day sat above its trend read +1 %.
-- Stored events keep their sentence until the next alerts refresh rewrites them; the feed
-- computes the move it shows from the alerts (data/queries/alerts.py: events_feed).
ALTER TABLE alert_events ALTER COLUMN effect DROP NOT NULL;
