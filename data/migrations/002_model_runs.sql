-- One row per batch-job run that persisted a model or its results (fans, similar artists,
-- alerts, audience models). Pages show computed_at / data_through from the latest run.
CREATE TABLE model_runs (
    run_id       BIGINT PRIMARY KEY,
    job          VARCHAR NOT NULL,
    computed_at  TIMESTAMP NOT NULL,          -- UTC, when the job finished
    data_through DATE,                        -- last day of trend data the job saw
    seconds      DOUBLE NOT NULL,
    params       JSON NOT NULL,               -- the settings the job ran with
    summary      JSON NOT NULL                -- small figures for the CLI and the pages
);
CREATE SEQUENCE model_run_ids START 1;
