-- Derived steps (the aggregate refresh, a batch job) that failed after the data they derive
-- from had committed. A failure never blocks opening the store: it is recorded here, the
-- aggregate backlog is kept, and `labelradar doctor` lists and repairs what is pending.
CREATE TABLE IF NOT EXISTS step_failures (
    step       VARCHAR NOT NULL,              -- 'aggregates' or a batch job's name
    failed_at  TIMESTAMP NOT NULL DEFAULT current_timestamp,
    message    VARCHAR NOT NULL
);
