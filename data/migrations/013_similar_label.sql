-- Similar artists per artist and label: an artist whose tracks sit on two labels is two
-- modelled units, each learned from its own tracks only, and scoped readers filter on the
-- label of the result row itself. The tables hold derived results only, so they are
-- recreated empty and the job's run rows removed: `labelradar refresh --if-missing` then
-- refits the model.

DROP TABLE IF EXISTS similar_potential;
DROP TABLE IF EXISTS similar_neighbors;
DROP TABLE IF EXISTS similar_artists;
DELETE FROM model_runs WHERE job = 'similar';

-- One row per (artist, label) with listener-level data: its cluster and 2-D position for
-- the cluster view, and the embedding itself (unit length).
CREATE TABLE similar_artists (
    run_id        BIGINT NOT NULL,
    artist_id     VARCHAR NOT NULL,
    label         VARCHAR NOT NULL,          -- the label of the tracks this row is built from
    cluster       INTEGER NOT NULL,
    cluster_prob  DOUBLE NOT NULL,           -- posterior probability of that cluster
    x             DOUBLE NOT NULL,           -- 2-D map of the embedding (cluster scatter)
    y             DOUBLE NOT NULL,
    listeners     BIGINT NOT NULL,           -- distinct listeners with listener-level rows
    streams       BIGINT NOT NULL,           -- all streams (agg_daily), the potential's total
    embedding     DOUBLE[] NOT NULL,
    PRIMARY KEY (artist_id, label)
);

-- The full neighbour ranking of every (artist, label) over all others (so a scoped reader
-- can keep only the rows in scope and still have a list).
CREATE TABLE similar_neighbors (
    run_id           BIGINT NOT NULL,
    artist_id        VARCHAR NOT NULL,
    label            VARCHAR NOT NULL,
    rank             INTEGER NOT NULL,       -- 1 = most similar
    neighbor_id      VARCHAR NOT NULL,
    neighbor_label   VARCHAR NOT NULL,
    score            DOUBLE NOT NULL,        -- cosine similarity of the embeddings
    shared_listeners BIGINT NOT NULL,
    shared_share_a   DOUBLE NOT NULL,        -- shared / listeners of (artist_id, label)
    shared_share_b   DOUBLE NOT NULL,        -- shared / listeners of the neighbour
    PRIMARY KEY (artist_id, label, rank)
);

-- Potential streams per (artist, label) and country (streams over the model's data window).
CREATE TABLE similar_potential (
    run_id     BIGINT NOT NULL,
    artist_id  VARCHAR NOT NULL,
    label      VARCHAR NOT NULL,
    country    VARCHAR NOT NULL,
    actual     DOUBLE NOT NULL,
    expected   DOUBLE NOT NULL,              -- neighbours' weighted share x the unit's total
    low        DOUBLE,                       -- 90% interval from the neighbours' spread
    high       DOUBLE,
    gap        DOUBLE NOT NULL,              -- expected - actual
    ratio      DOUBLE,                       -- actual / expected (NULL when expected = 0)
    rank       INTEGER NOT NULL,             -- 1 = largest gap for this unit
    PRIMARY KEY (artist_id, label, country)
);
