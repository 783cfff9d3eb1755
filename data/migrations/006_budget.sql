-- Territory budgets (issue 6): audience models per category of assets, written by the
-- "audience" job in one transaction, and the proposals / approvals workflow.

-- One row per category model (the offline model generation of patent seed 003, 1820).
CREATE TABLE budget_models (
    category      INTEGER PRIMARY KEY,
    assets        INTEGER NOT NULL,   -- M: assets in the category
    groups        INTEGER NOT NULL,   -- N: groups with any consumption of them
    m             INTEGER NOT NULL,   -- |I| kept by truncation
    n             INTEGER NOT NULL,   -- |J| kept by truncation
    rule          VARCHAR NOT NULL,   -- truncation: all | fallback-123 | fallback-45
    k             INTEGER NOT NULL,
    lam           DOUBLE NOT NULL,
    test_sse      DOUBLE,
    baseline_sse  DOUBLE,
    update_rule   VARCHAR NOT NULL,   -- exact | approx
    seconds       DOUBLE NOT NULL
);
-- Every asset with consumption in the window: its category and its engagement row over the
-- category's groups J (model scale); x (latent factors) and row_idx only for assets in I.
CREATE TABLE budget_assets (
    isrc          VARCHAR PRIMARY KEY,
    category      INTEGER NOT NULL,
    in_model      BOOLEAN NOT NULL,
    row_idx       INTEGER,
    genre         VARCHAR,
    x             DOUBLE[],
    e             DOUBLE[] NOT NULL
);
-- The category's groups J in column order: weight omega_j and latent factors y_j.
CREATE TABLE budget_groups (
    category      INTEGER NOT NULL,
    col_idx       INTEGER NOT NULL,
    country       VARCHAR NOT NULL,
    age_band      VARCHAR NOT NULL,
    gender        VARCHAR NOT NULL,
    subscription  VARCHAR NOT NULL,
    weight        DOUBLE NOT NULL,
    y             DOUBLE[] NOT NULL,
    PRIMARY KEY (category, col_idx)
);
-- Per territory with consumption: campaign cost benchmarks and the fitted response curve
-- (all-territory figures where it has no campaigns: campaigns = 0).
CREATE TABLE budget_territories (
    country          VARCHAR PRIMARY KEY,
    campaigns        INTEGER NOT NULL,
    cost_per_result  DOUBLE NOT NULL,   -- USD per person reached (shrunk median)
    uplift           DOUBLE NOT NULL,   -- u: maximum relative uplift (shrunk)
    spend_scale      DOUBLE NOT NULL,   -- s: USD, a * cost_per_result + b
    population       DOUBLE             -- census population (countryinfo), for reach
);
-- A track's streams per territory over the last 28 days (the base a campaign lifts).
CREATE TABLE budget_track_country (
    isrc          VARCHAR NOT NULL,
    country       VARCHAR NOT NULL,
    streams_28d   DOUBLE NOT NULL,
    PRIMARY KEY (isrc, country)
);

-- Budget proposals. plan: [{country, include, usd, cap_usd, groups, interests, expected}].
CREATE SEQUENCE budget_proposal_ids START 1;
CREATE TABLE budget_proposals (
    proposal_id   BIGINT PRIMARY KEY,
    isrc          VARCHAR NOT NULL,
    label         VARCHAR NOT NULL,
    goal          VARCHAR NOT NULL,
    total_usd     DOUBLE NOT NULL,
    plan          JSON NOT NULL,
    status        VARCHAR NOT NULL,   -- submitted | approved | rejected | returned
    comment       VARCHAR,
    created_by    VARCHAR NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    updated_by    VARCHAR NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    version       INTEGER NOT NULL
);
-- Managers granted approval rights by an admin (admins always have them).
CREATE TABLE budget_approvers (
    username      VARCHAR PRIMARY KEY,
    granted_by    VARCHAR NOT NULL,
    granted_at    TIMESTAMP NOT NULL
);
