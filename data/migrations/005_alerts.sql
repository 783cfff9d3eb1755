-- Change-detection alerts (feature: alerts). Written by the "alerts" batch job, except
-- alert_status, which managers write from the page (and which detection never touches).

-- One row per detected change. alert_key = subject id | kind | detected_on: the day the
-- filter flagged the change does not move when later days are appended, so statuses keep
-- pointing at the same alert across re-runs.
CREATE TABLE alerts (
    alert_key       VARCHAR PRIMARY KEY,
    subject         VARCHAR NOT NULL,          -- track | artist
    isrc            VARCHAR,                   -- NULL for artist alerts
    artist_id       VARCHAR NOT NULL,
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

CREATE TABLE alert_status (
    alert_key   VARCHAR PRIMARY KEY,
    status      VARCHAR NOT NULL,              -- acknowledged | dismissed
    changed_by  VARCHAR NOT NULL,
    changed_at  TIMESTAMP NOT NULL
);

-- Observed series with the one-step forecast band (history, for alerted subjects) and the
-- 28-day forecast (every monitored subject). subject_id = isrc or artist_id.
CREATE TABLE alert_bands (
    subject     VARCHAR NOT NULL,
    subject_id  VARCHAR NOT NULL,
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
-- memory, so that appending days continues detection without refiltering history.
CREATE TABLE alert_filter_state (
    subject     VARCHAR NOT NULL,
    subject_id  VARCHAR NOT NULL,
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
    PRIMARY KEY (subject, subject_id)
);
