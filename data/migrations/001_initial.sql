-- Label Radar store, version 1.
-- Fixed vocabularies from spec/trend-report.md are ENUM types: validated on ingest,
-- stored compactly and compared fast.
CREATE TYPE age_band_t AS ENUM ('13-17', '18-24', '25-34', '35-44', '45-54', '55-64', '65+', 'unknown');
CREATE TYPE gender_t AS ENUM ('female', 'male', 'nonbinary', 'unknown');
CREATE TYPE subscription_t AS ENUM ('premium', 'free', 'trial', 'unknown');
CREATE TYPE device_t AS ENUM ('mobile', 'desktop', 'tablet', 'tv', 'speaker', 'console', 'car', 'web', 'unknown');
CREATE TYPE os_t AS ENUM ('ios', 'android', 'windows', 'macos', 'linux', 'other', 'unknown');
CREATE TYPE source_t AS ENUM ('search', 'collection', 'album', 'artist', 'user_playlist',
    'editorial_playlist', 'algorithmic_playlist', 'radio', 'chart', 'other');
CREATE TYPE platform_t AS ENUM ('meta', 'google', 'tiktok', 'snap', 'dsp_marquee', 'other');
CREATE TYPE role_t AS ENUM ('admin', 'manager', 'viewer');

-- Every file load, successful or replaced. content_hash gives idempotency.
CREATE SEQUENCE load_id_seq START 1;
CREATE TABLE loads (
    load_id       BIGINT PRIMARY KEY,
    kind          VARCHAR NOT NULL,          -- catalog | trend | campaigns
    file_name     VARCHAR NOT NULL,
    content_hash  VARCHAR NOT NULL,
    rows_loaded   BIGINT NOT NULL,
    rows_rejected BIGINT NOT NULL DEFAULT 0,
    dsps          VARCHAR[],
    date_min      DATE,
    date_max      DATE,
    mode          VARCHAR NOT NULL,          -- strict | accept_valid | replace
    superseded_by BIGINT,                    -- set when a replace load swapped these rows out
    loaded_at     TIMESTAMP NOT NULL DEFAULT current_timestamp,
    loaded_by     VARCHAR
);

CREATE TABLE catalog (
    isrc          VARCHAR PRIMARY KEY,
    track_title   VARCHAR NOT NULL,
    artist_id     VARCHAR NOT NULL,
    artist_name   VARCHAR NOT NULL,
    label         VARCHAR NOT NULL,
    genre         VARCHAR,
    release_date  DATE NOT NULL,
    load_id       BIGINT NOT NULL,
    updated_at    TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- One row per aggregated stream count, exactly as delivered (no primary key: DSP rows
-- may legitimately repeat a dimension combination).
CREATE TABLE trend_facts (
    load_id       BIGINT NOT NULL,
    date          DATE NOT NULL,
    dsp           VARCHAR NOT NULL,
    isrc          VARCHAR NOT NULL,
    country       VARCHAR NOT NULL,
    region        VARCHAR,
    age_band      age_band_t NOT NULL,
    gender        gender_t NOT NULL,
    subscription  subscription_t NOT NULL,
    device        device_t NOT NULL,
    os            os_t NOT NULL,
    source        source_t NOT NULL,
    playlist_id   VARCHAR,
    listener_id   VARCHAR,
    streams       BIGINT NOT NULL
);

CREATE TABLE campaigns (
    campaign_id   VARCHAR PRIMARY KEY,
    isrc          VARCHAR NOT NULL,
    country       VARCHAR NOT NULL,
    platform      platform_t NOT NULL,
    start_date    DATE NOT NULL,
    end_date      DATE NOT NULL,
    spend_usd     DECIMAL(18, 2) NOT NULL,
    impressions   BIGINT,
    clicks        BIGINT,
    reach         BIGINT,
    load_id       BIGINT NOT NULL
);

CREATE TABLE users (
    username      VARCHAR PRIMARY KEY,
    password_hash VARCHAR NOT NULL,
    role          role_t NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT false,
    created_at    TIMESTAMP NOT NULL DEFAULT current_timestamp
);
CREATE TABLE user_labels (
    username      VARCHAR NOT NULL,
    label         VARCHAR NOT NULL,
    PRIMARY KEY (username, label)
);

-- Append-only: the code has an insert path and no update or delete path.
CREATE SEQUENCE audit_id_seq START 1;
CREATE TABLE audit_log (
    audit_id      BIGINT PRIMARY KEY DEFAULT nextval('audit_id_seq'),
    logged_at     TIMESTAMP NOT NULL DEFAULT current_timestamp,
    actor         VARCHAR NOT NULL,
    action        VARCHAR NOT NULL,
    entity        VARCHAR NOT NULL,
    entity_id     VARCHAR,
    before        JSON,
    after         JSON
);

-- Key/value facts about the store itself (demo flag, generator seed, ...).
CREATE TABLE store_meta (
    key           VARCHAR PRIMARY KEY,
    value         VARCHAR NOT NULL
);

-- Aggregates, kept in step with trend_facts inside the same transaction as each load.
-- Each is partitioned by (date grain, dsp): a load refreshes only what its file touched.
-- Partitions whose aggregates still have to be refreshed: loads made with deferred
-- aggregates (a multi-file delivery refreshes once at the end). Written in the load's own
-- transaction, emptied by aggregates.refresh_backlog; a read-write open of the store
-- finishes any backlog an interrupted command left.
CREATE TABLE aggregate_backlog (
    load_id       BIGINT NOT NULL,
    dsp           VARCHAR NOT NULL,
    date_min      DATE NOT NULL,
    date_max      DATE NOT NULL
);
-- Daily streams per track x country x dsp x source.
CREATE TABLE agg_daily (
    date          DATE NOT NULL,
    isrc          VARCHAR NOT NULL,
    country       VARCHAR NOT NULL,
    dsp           VARCHAR NOT NULL,
    source        source_t NOT NULL,
    streams       BIGINT NOT NULL
);
-- Per listener x track x month where listener ids exist (sum months for any window).
CREATE TABLE agg_listener_month (
    month          DATE NOT NULL,
    dsp            VARCHAR NOT NULL,
    listener_id    VARCHAR NOT NULL,
    isrc           VARCHAR NOT NULL,
    streams        BIGINT NOT NULL,
    active_streams BIGINT NOT NULL,
    first_date     DATE NOT NULL,
    last_date      DATE NOT NULL
);
-- Geodemographic group x track x channel (dsp x device x os x source) x week.
CREATE TABLE agg_group_week (
    week          DATE NOT NULL,
    dsp           VARCHAR NOT NULL,
    isrc          VARCHAR NOT NULL,
    country       VARCHAR NOT NULL,
    age_band      age_band_t NOT NULL,
    gender        gender_t NOT NULL,
    subscription  subscription_t NOT NULL,
    device        device_t NOT NULL,
    os            os_t NOT NULL,
    source        source_t NOT NULL,
    streams       BIGINT NOT NULL
);
