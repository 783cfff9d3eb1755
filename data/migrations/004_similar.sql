-- Similar artists (issue 4): the persisted artist model and geographic model.
-- Written only by the "similar" batch job, replaced as a whole on every run (run_id links
-- the rows to their model_runs row). Read through data/queries_similar.py (scoped).

-- One row per artist with listener-level data: its cluster and 2-D position for the
-- cluster view, and the embedding itself (unit length).
CREATE TABLE similar_artists (
    run_id        BIGINT NOT NULL,
    artist_id     VARCHAR PRIMARY KEY,
    cluster       INTEGER NOT NULL,
    cluster_prob  DOUBLE NOT NULL,           -- posterior probability of that cluster
    x             DOUBLE NOT NULL,           -- first two principal components of the
    y             DOUBLE NOT NULL,           -- embedding (cluster scatter)
    listeners     BIGINT NOT NULL,           -- distinct listeners with listener-level rows
    streams       BIGINT NOT NULL,           -- all streams (agg_daily), the potential's total
    embedding     DOUBLE[] NOT NULL
);

-- The full neighbour ranking of every artist over all artists (so a scoped reader can
-- keep only the artists in scope and still have a list).
CREATE TABLE similar_neighbors (
    run_id           BIGINT NOT NULL,
    artist_id        VARCHAR NOT NULL,
    rank             INTEGER NOT NULL,       -- 1 = most similar
    neighbor_id      VARCHAR NOT NULL,
    score            DOUBLE NOT NULL,        -- cosine similarity of the embeddings
    shared_listeners BIGINT NOT NULL,
    shared_share_a   DOUBLE NOT NULL,        -- shared / listeners of artist_id
    shared_share_b   DOUBLE NOT NULL,        -- shared / listeners of neighbor_id
    PRIMARY KEY (artist_id, rank)
);

-- Potential streams per artist and country (streams over the model's data window).
CREATE TABLE similar_potential (
    run_id     BIGINT NOT NULL,
    artist_id  VARCHAR NOT NULL,
    country    VARCHAR NOT NULL,
    actual     DOUBLE NOT NULL,
    expected   DOUBLE NOT NULL,              -- neighbours' weighted share x artist's total
    low        DOUBLE,                       -- 90% interval from the neighbours' spread
    high       DOUBLE,
    gap        DOUBLE NOT NULL,              -- expected - actual
    ratio      DOUBLE,                       -- actual / expected (NULL when expected = 0)
    rank       INTEGER NOT NULL,             -- 1 = largest gap for this artist
    PRIMARY KEY (artist_id, country)
);
