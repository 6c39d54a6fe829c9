-- pg_mining catalog: every trained model version, and the deployment history.
CREATE SCHEMA dm;
COMMENT ON SCHEMA dm IS 'pg_mining catalog: trained models (dm.models), deployment history (dm.deployments) and readable views';

CREATE TABLE dm.models (
    id               bigserial PRIMARY KEY,
    name             text NOT NULL CHECK (name ~ '^[A-Za-z0-9_.]{1,63}$'),
    version          int  NOT NULL CHECK (version > 0),
    task             text NOT NULL,
    algorithm        text NOT NULL,
    relation         text NOT NULL,
    target           text,
    target_type      text,
    features         jsonb NOT NULL,
    classes          text[],
    preprocessing    jsonb NOT NULL,
    hyperparams      jsonb NOT NULL,
    options          jsonb NOT NULL,
    metrics          jsonb NOT NULL,
    row_counts       jsonb NOT NULL,
    split            jsonb NOT NULL,
    data_fingerprint text NOT NULL,
    timings          jsonb NOT NULL,
    warnings         text[] NOT NULL DEFAULT '{}',
    created_at       timestamptz NOT NULL DEFAULT now(),
    created_by       name NOT NULL DEFAULT current_user,
    format_version   int NOT NULL,
    model_bytes      bytea NOT NULL,
    -- Per feature (and "(prediction)"): the training distribution that dm_drift compares with.
    profile          jsonb NOT NULL DEFAULT '{}',
    UNIQUE (name, version)
);
-- Model bytes come compressed (crates/mining/src/model/format.rs): Postgres need not try again.
ALTER TABLE dm.models ALTER COLUMN model_bytes SET STORAGE EXTERNAL;
COMMENT ON TABLE dm.models IS 'One row per trained model version: what it was trained on, how, its metrics and its bytes';

CREATE TABLE dm.deployments (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL,
    version     int  NOT NULL,
    action      text NOT NULL CHECK (action IN ('deploy', 'rollback')),
    -- The deployment this one replaced on the stack (a rollback returns to it).
    previous    bigint REFERENCES dm.deployments (id) ON DELETE SET NULL,
    deployed_at timestamptz NOT NULL DEFAULT now(),
    deployed_by name NOT NULL DEFAULT current_user,
    -- A deployment never points at a missing version (dm_drop_model unlinks a dropped
    -- version's history rows first; the deployed version cannot be dropped).
    FOREIGN KEY (name, version) REFERENCES dm.models (name, version)
);
CREATE INDEX deployments_name_id ON dm.deployments (name, id DESC);
COMMENT ON TABLE dm.deployments IS 'Deployment history: the latest row per name is the deployed version';

CREATE VIEW dm.deployed AS
SELECT DISTINCT ON (name) name, version, action, deployed_at, deployed_by
FROM dm.deployments
ORDER BY name, id DESC;
COMMENT ON VIEW dm.deployed IS 'The deployed version of each model';

CREATE VIEW dm.summary AS
SELECT m.name,
       m.version,
       d.version IS NOT NULL AS deployed,
       m.task,
       m.algorithm,
       m.target,
       jsonb_array_length(m.features) AS n_features,
       (m.row_counts ->> 'used')::bigint AS rows_used,
       CASE m.task WHEN 'classification' THEN 'accuracy' ELSE 'r2' END AS metric,
       round((m.metrics -> 'train' ->> CASE m.task WHEN 'classification' THEN 'accuracy' ELSE 'r2' END)::numeric, 4) AS train_score,
       round((m.metrics -> 'test' ->> CASE m.task WHEN 'classification' THEN 'accuracy' ELSE 'r2' END)::numeric, 4) AS test_score,
       cardinality(m.warnings) AS n_warnings,
       m.created_at
FROM dm.models m
LEFT JOIN dm.deployed d ON d.name = m.name AND d.version = m.version
ORDER BY m.name, m.version;
COMMENT ON VIEW dm.summary IS 'One readable row per model version: deployed flag, headline train/test score, rows, warnings';

CREATE TABLE dm.trials (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL,
    version     int  NOT NULL,
    trial       int  NOT NULL,
    params      jsonb NOT NULL,
    metric      text NOT NULL,
    fold_scores float8[] NOT NULL,
    mean_score  float8,
    std_score   float8,
    fit_ms      bigint NOT NULL,
    chosen      boolean NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (name, version) REFERENCES dm.models (name, version) ON DELETE CASCADE
);
CREATE INDEX trials_name_version ON dm.trials (name, version);
COMMENT ON TABLE dm.trials IS 'Hyperparameter search trials: the candidate, its cross-validation fold scores, and whether it was chosen';

CREATE VIEW dm.runs AS
SELECT m.name,
       m.version,
       m.created_at,
       m.created_by,
       m.relation,
       m.data_fingerprint,
       (m.row_counts ->> 'used')::bigint AS rows_used,
       m.algorithm,
       m.hyperparams,
       CASE m.task WHEN 'classification' THEN 'f1_macro' ELSE 'r2' END AS metric,
       (m.metrics -> 'test' ->> CASE m.task WHEN 'classification' THEN 'f1_macro' ELSE 'r2' END)::float8 AS test_score,
       (m.metrics -> 'cv' -> 'mean' ->> CASE m.task WHEN 'classification' THEN 'f1_macro' ELSE 'r2' END)::float8 AS cv_score,
       (SELECT count(*) FROM dm.trials t WHERE t.name = m.name AND t.version = m.version) AS trials,
       d.version IS NOT NULL AS deployed,
       m.warnings
FROM dm.models m
LEFT JOIN dm.deployed d ON d.name = m.name AND d.version = m.version
ORDER BY m.created_at, m.name, m.version;
COMMENT ON VIEW dm.runs IS 'Experiment tracking: every training run with its data fingerprint, settings, test and CV score, trials and warnings';
