-- Alerts are computed per artist and label: an artist whose tracks sit on two labels has one
-- daily series, band and set of artist alerts per label (its tracks on that label only).
-- Every result row names its label (a track row: the track's label when it was computed).
-- The result tables are derived: they are recreated empty and the job's run rows deleted,
-- so the next `labelradar refresh` (with --if-missing too) refits.

-- Statuses of artist alerts follow the new key (artist_id | label | kind | detected_on)
-- when the artist has one label; an alert of an artist on two labels mixed both labels'
-- tracks and no longer exists, so its status goes (the audit log keeps the history).
UPDATE alert_status SET alert_key = u.new_key
FROM (
    SELECT a.alert_key AS old_key,
           a.artist_id || '|' || min(c.label) || substr(a.alert_key, length(a.artist_id) + 1)
               AS new_key
    FROM alerts a JOIN catalog c ON c.artist_id = a.artist_id
    WHERE a.subject = 'artist'
    GROUP BY a.alert_key, a.artist_id
    HAVING count(DISTINCT c.label) = 1
) u
WHERE alert_status.alert_key = u.old_key;
DELETE FROM alert_status
WHERE alert_key IN (SELECT alert_key FROM alerts WHERE subject = 'artist');

DROP TABLE alerts;
DROP TABLE alert_bands;
DROP TABLE alert_filter_state;
DELETE FROM model_runs WHERE job = 'alerts';

-- One row per detected change. alert_key: isrc | kind | detected_on for a track,
-- artist_id | label | kind | detected_on for an artist's tracks on one label.
CREATE TABLE alerts (
    alert_key       VARCHAR PRIMARY KEY,
    subject         VARCHAR NOT NULL,          -- track | artist
    isrc            VARCHAR,                   -- NULL for artist alerts
    artist_id       VARCHAR NOT NULL,
    label           VARCHAR NOT NULL,          -- the unit's label (scopes artist alerts)
    kind            VARCHAR NOT NULL,          -- spike | drop | growth | decline
    event_date      DATE NOT NULL,             -- estimated start of the change
    detected_on     DATE NOT NULL,             -- day the filter flagged it
    probability     DOUBLE NOT NULL,
    observed        DOUBLE NOT NULL,           -- detection series on detected_on
    expected        DOUBLE NOT NULL,           -- one-step forecast median for that day
    excess          DOUBLE,                    -- streams over the pre-change level, window
    cause           VARCHAR,
    cause_dimension VARCHAR,
    cause_value     VARCHAR,
    attribution     JSON,                      -- [{dimension, value, share, excess}]
    growth          JSON,                      -- growth-potential metrics
    opportunity     BOOLEAN NOT NULL,
    goal            VARCHAR,                   -- expand | accelerate | sustain
    reason          VARCHAR
);

-- Observed series with the one-step forecast band and the 28-day forecast of every
-- monitored track and artist unit. subject_id = isrc or artist_id.
CREATE TABLE alert_bands (
    subject     VARCHAR NOT NULL,
    subject_id  VARCHAR NOT NULL,
    label       VARCHAR NOT NULL,
    date        DATE NOT NULL,
    observed    DOUBLE,
    expected    DOUBLE,
    lo80        DOUBLE,
    hi80        DOUBLE,
    lo95        DOUBLE,
    hi95        DOUBLE,
    is_forecast BOOLEAN NOT NULL
);

-- Filter state after the last day (predicted for the next) and the detection rules'
-- memory, per track and per artist unit.
CREATE TABLE alert_filter_state (
    subject     VARCHAR NOT NULL,
    subject_id  VARCHAR NOT NULL,
    label       VARCHAR NOT NULL,
    through     DATE NOT NULL,
    obs_var     DOUBLE NOT NULL,
    state       DOUBLE[] NOT NULL,             -- 8
    cov         DOUBLE[] NOT NULL,             -- 64, row-major
    start_date  DATE NOT NULL,                 -- first day with data (burn-in from here)
    seen        BOOLEAN NOT NULL,
    monitored   BOOLEAN NOT NULL,
    run         INTEGER[] NOT NULL,            -- consecutive gradual hits: growth, decline
    armed       BOOLEAN[] NOT NULL,            -- growth, decline may fire
    last_spike  DATE,
    last_drop   DATE,
    PRIMARY KEY (subject, subject_id, label)
);
