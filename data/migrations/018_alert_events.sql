-- Grouped alert events: co-occurring alerts (one artist unit's alerts on one day, one
-- release coming out, a catalogue-wide move) shown as one row of the feed. Derived by the
-- alerts job from every saved alert, in the same transaction as the alerts; statuses stay
-- per alert (alert_status), so an event's status is that of its alerts.

-- One row per event. event_id is derived from the event's content (scope, subject, kind or
-- direction, first day): a re-run over the same alerts gives the same ids.
CREATE TABLE alert_events (
    event_id    VARCHAR PRIMARY KEY,
    scope       VARCHAR NOT NULL,          -- catalogue | artist | release
    subject     VARCHAR NOT NULL,          -- "Catalogue", the artist's name, the release
    artist_id   VARCHAR,                   -- NULL for a catalogue-wide event
    label       VARCHAR,                   -- the artist unit's label; NULL for catalogue-wide
    date        DATE NOT NULL,             -- the first day of its alerts
    kind        VARCHAR NOT NULL,
    tracks      VARCHAR[] NOT NULL,        -- ISRCs of its track alerts
    alerts      INTEGER NOT NULL,
    artists     INTEGER NOT NULL,
    effect      DOUBLE NOT NULL,           -- largest relative move of its alerts (0.31 = +31%)
    cause       VARCHAR,                   -- that alert's cause
    why         VARCHAR NOT NULL           -- one sentence (catalogue-wide: over every label)
);

-- Which alerts make each event (every alert is in exactly one).
CREATE TABLE alert_event_members (
    event_id    VARCHAR NOT NULL,
    alert_key   VARCHAR PRIMARY KEY
);

-- Stores with alerts but no events yet: the next `labelradar refresh` (with --if-missing
-- too) reruns the alerts job, which writes the events.
DELETE FROM model_runs WHERE job = 'alerts';
