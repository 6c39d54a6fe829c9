-- pg_mining 0.1.0 -> 0.2.0: model owners and grants (dm.owners, dm.grants, dm.functions),
-- catalog tables readable and writable only through the extension's functions, views that
-- show each role the models it has a right on, pg_dump carrying the models, dm_grant /
-- dm_revoke / dm_has_model_privilege, and dm_drop_model's cascade argument.
-- The schema this leaves equals a fresh 0.2.0 install's (tests/upgrade/run.sh compares them).

\echo Use "ALTER EXTENSION pg_mining UPDATE TO '0.2.0'" to load this file. \quit

COMMENT ON SCHEMA dm IS 'pg_mining catalog: trained models (dm.models), deployment history (dm.deployments), owners and grants, and readable views';

-- Model names and their owners (catalog/rights.rs): the role that first trained a name, or
-- the role its first training named. Only the extension's functions write the catalog.
CREATE TABLE dm.owners (
    name       text PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9_.]{1,63}$'),
    owner      regrole NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE dm.owners IS 'The role that owns each model name';

-- Every model name of 0.1.0 is owned by the role that trained its first version, or by the
-- catalog's owner when that role is gone.
INSERT INTO dm.owners (name, owner, created_at)
SELECT DISTINCT ON (m.name) m.name,
       coalesce((SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = m.created_by),
                (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = 'dm.models'::regclass))::regrole,
       m.created_at
FROM dm.models m
ORDER BY m.name, m.version;
ALTER TABLE dm.models ADD FOREIGN KEY (name) REFERENCES dm.owners (name);

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

DROP VIEW dm.runs;
DROP VIEW dm.summary;
DROP VIEW dm.deployed;

-- Only the extension's functions (running as the catalog owner after checking the caller's
-- right) read and write the tables; every role reads the views, which show each role the
-- models it has a right on.
REVOKE ALL ON dm.owners, dm.grants, dm.functions, dm.models, dm.deployments, dm.trials FROM PUBLIC;
GRANT USAGE ON SCHEMA dm TO PUBLIC;

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

DROP FUNCTION dm_drop_model(text, integer);
CREATE  FUNCTION "dm_drop_model"(
	"model" TEXT, /* Option < & str > */
	"version" INT DEFAULT NULL, /* Option < i32 > */
	"cascade" bool DEFAULT false /* bool */
) RETURNS bigint /* i64 */
VOLATILE
LANGUAGE c /* Rust */
AS 'MODULE_PATHNAME', 'dm_drop_model_wrapper';

CREATE  FUNCTION "dm_grant"(
	"model" TEXT, /* & str */
	"role" TEXT, /* & str */
	"privilege" TEXT /* & str */
) RETURNS bool /* bool */
STRICT VOLATILE
LANGUAGE c /* Rust */
AS 'MODULE_PATHNAME', 'dm_grant_wrapper';

CREATE  FUNCTION "dm_has_model_privilege"(
	"model" TEXT, /* & str */
	"privilege" TEXT /* & str */
) RETURNS bool /* bool */
STRICT STABLE PARALLEL SAFE
LANGUAGE c /* Rust */
AS 'MODULE_PATHNAME', 'dm_has_model_privilege_wrapper';

CREATE  FUNCTION "dm_revoke"(
	"model" TEXT, /* & str */
	"role" TEXT, /* & str */
	"privilege" TEXT DEFAULT NULL /* Option < & str > */
) RETURNS bigint /* i64 */
VOLATILE
LANGUAGE c /* Rust */
AS 'MODULE_PATHNAME', 'dm_revoke_wrapper';

CREATE TRIGGER owners_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON dm.owners
    FOR EACH STATEMENT EXECUTE FUNCTION dm_catalog_changed();
CREATE TRIGGER grants_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON dm.grants
    FOR EACH STATEMENT EXECUTE FUNCTION dm_catalog_changed();

-- The readable views of the catalog. Each shows a role only the models it has a right on
-- (dm_has_model_privilege, catalog/rights.rs): security_barrier, so that no function of the
-- caller's sees a row the filter drops.

CREATE VIEW dm.deployed WITH (security_barrier) AS
SELECT DISTINCT ON (name) name, version, action, deployed_at, deployed_by
FROM dm.deployments
WHERE dm_has_model_privilege(name, 'score')
ORDER BY name, id DESC;
COMMENT ON VIEW dm.deployed IS 'The deployed version of each model the current role may score';

CREATE VIEW dm.summary WITH (security_barrier) AS
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
       m.created_at,
       o.owner::text AS owner
FROM dm.models m
JOIN dm.owners o ON o.name = m.name
LEFT JOIN dm.deployed d ON d.name = m.name AND d.version = m.version
WHERE dm_has_model_privilege(m.name, 'score')
ORDER BY m.name, m.version;
COMMENT ON VIEW dm.summary IS 'One readable row per model version the current role may score: deployed flag, headline train/test score, rows, warnings, owner';

CREATE VIEW dm.runs WITH (security_barrier) AS
SELECT m.name,
       m.version,
       m.created_at,
       m.created_by,
       CASE WHEN dm_has_model_privilege(m.name, 'manage') THEN m.relation END AS relation,
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
WHERE dm_has_model_privilege(m.name, 'train')
ORDER BY m.created_at, m.name, m.version;
COMMENT ON VIEW dm.runs IS 'Experiment tracking for the models the current role may train: every run with its data fingerprint, settings, test and CV score, trials and warnings (the source query for those it may manage)';

CREATE VIEW dm.search_trials WITH (security_barrier) AS
SELECT name, version, trial, params, metric, fold_scores, mean_score, std_score, fit_ms, chosen, created_at
FROM dm.trials
WHERE dm_has_model_privilege(name, 'train')
ORDER BY name, version, trial;
COMMENT ON VIEW dm.search_trials IS 'Hyperparameter search trials of the models the current role may train';

CREATE VIEW dm.versions WITH (security_barrier) AS
SELECT m.name, m.version, m.task, m.algorithm, m.relation, m.target, m.target_type, m.features,
       m.classes, m.preprocessing, m.hyperparams, m.options, m.metrics, m.row_counts, m.split,
       m.data_fingerprint, m.timings, m.warnings, m.created_at, m.created_by, m.format_version,
       pg_column_size(m.model_bytes) AS model_size, m.profile
FROM dm.models m
WHERE dm_has_model_privilege(m.name, 'manage')
ORDER BY m.name, m.version;
COMMENT ON VIEW dm.versions IS 'Everything stored about each version of the models the current role may manage (source query, preprocessing statistics, training profile), but the model bytes';

CREATE VIEW dm.privileges WITH (security_barrier) AS
SELECT o.name, o.owner::text AS grantee, 'owner'::text AS privilege, o.owner::text AS granted_by, o.created_at AS granted_at
FROM dm.owners o
WHERE dm_has_model_privilege(o.name, 'score')
UNION ALL
SELECT g.name, CASE WHEN g.grantee::oid = 0::oid THEN 'public' ELSE g.grantee::text END, g.privilege, g.granted_by::text, g.granted_at
FROM dm.grants g
WHERE dm_has_model_privilege(g.name, 'score')
ORDER BY 1, 3, 2;
COMMENT ON VIEW dm.privileges IS 'Who owns each model the current role may score, and what its owner granted to whom';

GRANT SELECT ON dm.deployed, dm.summary, dm.runs, dm.search_trials, dm.versions, dm.privileges TO PUBLIC;

COMMENT ON FUNCTION dm_catalog_changed() IS
'Internal statement trigger on dm.models, dm.deployments, dm.owners and dm.grants: after any change every session forgets which stored version a model name means and which rights a role has, and reads them again in its next statement.';
COMMENT ON FUNCTION dm_create_predict_function(text, text, boolean) IS
'Creates a SQL function with one typed argument per feature that returns the deployed version''s prediction in the target''s type (for BI tools); returns its signature. Needs the manage privilege; the body is bound to pg_mining''s functions when created (no search_path can redirect it), and scorers of the function need the score privilege. replace => true replaces an existing function.';
COMMENT ON FUNCTION dm_drift(text, text, float8) IS
'Drift of a relation (e.g. recent rows) against a model''s training data (needs the manage privilege): per feature and for the predictions, PSI, KS (numbers) or chi-square (categories), NULL rates, and a flag when PSI exceeds the threshold.';
COMMENT ON FUNCTION dm_deploy(text, integer) IS
'Deploys a version of a model (transactional; needs the deploy privilege); returns the version.';
COMMENT ON FUNCTION dm_rollback(text) IS
'Returns a model to the version deployed before the current deployment (needs the deploy privilege); returns that version.';
COMMENT ON FUNCTION dm_drop_model(text, integer, boolean) IS
'Drops one version of a model (not the deployed one), or the whole model with its history, owner and grants when version is NULL (needs the manage privilege); returns the number of versions dropped. Refuses while scoring triggers or typed predict functions depend on it, unless cascade => true, which drops them too.';
COMMENT ON FUNCTION dm_grant(text, text, text) IS
'Grants a privilege on a model (score, train, deploy or manage) to a role, or to PUBLIC with ''public''; only the model''s owner (or a member of the owner role) may. Returns false when the role already had it.';
COMMENT ON FUNCTION dm_revoke(text, text, text) IS
'Revokes a privilege on a model from a role or PUBLIC (every privilege when NULL); only the model''s owner may. Returns how many grants were removed.';
COMMENT ON FUNCTION dm_has_model_privilege(text, text) IS
'Whether the current role holds a privilege (score, train, deploy, manage) on a model: as its owner, a member of the owner role, a superuser, or through a grant; false when there is no such model.';
