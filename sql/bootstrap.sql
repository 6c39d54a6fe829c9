-- pg_mining catalog: every trained model version, and the deployment history.
CREATE SCHEMA dm;
COMMENT ON SCHEMA dm IS 'pg_mining catalog: trained models (dm.models), deployment history (dm.deployments), owners and grants, and readable views';

-- Model names and their owners (catalog/rights.rs): the role that first trained a name, or
-- the role its first training named. Only the extension's functions write the catalog.
CREATE TABLE dm.owners (
    name       text PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9_.]{1,63}$'),
    owner      regrole NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE dm.owners IS 'The role that owns each model name';

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
    -- A binary classifier's decision threshold (options.threshold, dm_set_threshold): the
    -- second class when its probability is at least this; NULL: the most probable class.
    threshold        float8 CHECK (threshold > 0 AND threshold <= 1),
    -- A key per row the version was trained, validated and tested on (48-bit hashes of features
    -- and target, sorted and delta-encoded: crates/mining/src/prepare/row_keys.rs), so that
    -- dm_evaluate(..., rows => 'test') finds its own test rows again; NULL: not kept.
    row_keys         bytea,
    -- A regression's absolute residuals on its test rows, sorted (at most 20,000: a seeded
    -- subset above), for split-conformal prediction intervals (dm_predict_interval); NULL: none.
    interval_residuals float8[],
    -- A binary classifier's probability calibration (options.calibration: sigmoid or
    -- isotonic, crates/mining/src/model/calibration.rs); NULL: none.
    calibration      jsonb,
    -- Explanations' background: the encoded training rows' means and a seeded sample of at
    -- most 100 of them (crates/mining/src/model/background.rs), for dm_explain's linear and
    -- sampling methods; NULL: not kept (tree models, which explain from their trees; versions
    -- trained before 0.4.0).
    background       jsonb,
    UNIQUE (name, version),
    FOREIGN KEY (name) REFERENCES dm.owners (name)
);
-- Model bytes come compressed (crates/mining/src/model/format.rs): Postgres need not try again.
ALTER TABLE dm.models ALTER COLUMN model_bytes SET STORAGE EXTERNAL;
-- Hashes do not compress either.
ALTER TABLE dm.models ALTER COLUMN row_keys SET STORAGE EXTERNAL;
-- What dm_predict_interval returns: the prediction and its interval.
CREATE TYPE dm.prediction_interval AS (prediction float8, lower float8, upper float8);
COMMENT ON TYPE dm.prediction_interval IS 'A regression''s prediction with its split-conformal interval (dm_predict_interval)';

COMMENT ON TABLE dm.models IS 'One row per trained model version: what it was trained on, how, its metrics and its bytes';

CREATE TABLE dm.deployments (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL,
    version     int  NOT NULL,
    action      text NOT NULL CHECK (action IN ('deploy', 'rollback')),
    -- The deployment this one replaced on the stack (a rollback returns to it). No foreign
    -- key: only the extension writes this table, dm_drop_model relinks the rows that pointed
    -- at a dropped version's rows, and a self-reference would make pg_dump warn of circular
    -- foreign keys in every dump of the models.
    previous    bigint,
    deployed_at timestamptz NOT NULL DEFAULT now(),
    deployed_by name NOT NULL DEFAULT current_user,
    -- A deployment never points at a missing version (dm_drop_model unlinks a dropped
    -- version's history rows first; the deployed version cannot be dropped).
    FOREIGN KEY (name, version) REFERENCES dm.models (name, version)
);
CREATE INDEX deployments_name_id ON dm.deployments (name, id DESC);
COMMENT ON TABLE dm.deployments IS 'Deployment history: the latest row per name is the deployed version';

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

-- Rights on a model given by its owner (dm_grant / dm_revoke); grantee '-' (0) is PUBLIC.
CREATE TABLE dm.grants (
    name       text NOT NULL REFERENCES dm.owners (name) ON DELETE CASCADE,
    grantee    regrole NOT NULL,
    privilege  text NOT NULL CHECK (privilege IN ('score', 'train', 'deploy', 'manage')),
    granted_by regrole NOT NULL,
    granted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (name, grantee, privilege)
);
COMMENT ON TABLE dm.grants IS 'Privileges on models granted with dm_grant (grantee 0 is PUBLIC)';

-- Typed predict functions made by dm_create_predict_function, so that dm_drop_model knows
-- what depends on a model (scoring triggers are found in pg_trigger).
CREATE TABLE dm.functions (
    name       text NOT NULL REFERENCES dm.owners (name) ON DELETE CASCADE,
    signature  text PRIMARY KEY,
    created_by name NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE dm.functions IS 'Typed predict functions created by dm_create_predict_function, by model';

-- Only the extension's functions (running as the catalog owner after checking the caller's
-- right) read and write the tables; every role reads the views, which show each role the
-- models it has a right on.
REVOKE ALL ON dm.owners, dm.grants, dm.functions, dm.models, dm.deployments, dm.trials FROM PUBLIC;
GRANT USAGE ON SCHEMA dm TO PUBLIC;
-- The extension's owner (the role that ran CREATE EXTENSION: a superuser, or in a trusted
-- install the database owner) backs up and restores the models: it reads the tables and
-- sequences (pg_dump dumps their rows) and may add rows and set the sequences (pg_restore
-- loads them). It updates and deletes them only through the functions, as every role does;
-- the models it could add by hand it could as well restore from a dump it made.
GRANT SELECT, INSERT ON dm.owners, dm.grants, dm.functions, dm.models, dm.deployments, dm.trials TO @extowner@;
GRANT SELECT, UPDATE ON SEQUENCE dm.models_id_seq, dm.deployments_id_seq, dm.trials_id_seq TO @extowner@;

-- pg_dump / pg_restore carry the models, their history, owners and grants.
SELECT pg_catalog.pg_extension_config_dump('dm.owners', '');
SELECT pg_catalog.pg_extension_config_dump('dm.grants', '');
SELECT pg_catalog.pg_extension_config_dump('dm.functions', '');
SELECT pg_catalog.pg_extension_config_dump('dm.models', '');
SELECT pg_catalog.pg_extension_config_dump('dm.models_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('dm.deployments', '');
SELECT pg_catalog.pg_extension_config_dump('dm.deployments_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('dm.trials', '');
SELECT pg_catalog.pg_extension_config_dump('dm.trials_id_seq', '');
