-- pg_mining 0.2.0 -> 0.3.0: a trusted extension (a database owner with CREATE may install it).
-- The internal functions (the aggregates' state and final functions, the catalog tables'
-- trigger function) move into schema dm, callable by no role directly; DROP EXTENSION warns how
-- many models it deletes (an event trigger); dm.deployments loses its self-referencing foreign
-- key, over which pg_dump warned of circular foreign keys in every dump of the models;
-- dm.summary and dm.runs show the metric each version was judged by (options.metric) and the
-- baseline's score; dm.models.threshold holds a binary classifier's decision threshold
-- (options.threshold, dm_set_threshold), shown in dm.versions.
-- The schema this leaves equals a fresh 0.3.0 install's (tests/upgrade/run.sh compares them).

\echo Use "ALTER EXTENSION pg_mining UPDATE TO '0.3.0'" to load this file. \quit

ALTER TABLE dm.deployments DROP CONSTRAINT deployments_previous_fkey;

-- A binary classifier's decision threshold (options.threshold, dm_set_threshold): the
-- second class when its probability is at least this; NULL: the most probable class.
ALTER TABLE dm.models ADD COLUMN threshold float8 CHECK (threshold > 0 AND threshold <= 1);

-- The extension's owner (the role that ran CREATE EXTENSION: a superuser, or in a trusted
-- install the database owner) backs up and restores the models: it reads the tables and
-- sequences (pg_dump dumps their rows) and may add rows and set the sequences (pg_restore
-- loads them). It updates and deletes them only through the functions, as every role does;
-- the models it could add by hand it could as well restore from a dump it made. (Here the role is the one running this update: a 0.2.0 install was made
-- by a superuser, so that role is its owner or another superuser.)
GRANT SELECT, INSERT ON dm.owners, dm.grants, dm.functions, dm.models, dm.deployments, dm.trials TO @extowner@;
GRANT SELECT, UPDATE ON SEQUENCE dm.models_id_seq, dm.deployments_id_seq, dm.trials_id_seq TO @extowner@;


-- dm_set_threshold(model, version, threshold): a two-class classifier's decision threshold.
CREATE FUNCTION "dm_set_threshold"(
	"model" TEXT,
	"version" INT,
	"threshold" double precision
) RETURNS double precision
VOLATILE
LANGUAGE c
AS 'MODULE_PATHNAME', 'dm_set_threshold_wrapper';
COMMENT ON FUNCTION dm_set_threshold(text, integer, double precision) IS
'Sets the decision threshold of a version of a two-class classifier (needs the deploy privilege): its labels in dm_predict, dm_predict_label, scoring triggers and typed predict functions become the second class wherever that class''s probability is at least the threshold, in every session from the next statement; NULL returns to the most probable class. The threshold is a probability in (0, 1]; returns it. options.threshold of dm_train chooses one at training time.';

CREATE FUNCTION dm.drop_extension_warning() RETURNS event_trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'dm_drop_extension_warning';
CREATE EVENT TRIGGER pg_mining_drop_extension ON ddl_command_start
    WHEN TAG IN ('DROP EXTENSION') EXECUTE FUNCTION dm.drop_extension_warning();
COMMENT ON FUNCTION dm.drop_extension_warning() IS 'Event trigger function: before DROP EXTENSION pg_mining, a WARNING with the number of models and versions it deletes';
COMMENT ON EVENT TRIGGER pg_mining_drop_extension IS 'Warns how many models DROP EXTENSION pg_mining deletes';

-- The metric each version was judged by (options.metric, stored in metrics -> 'objective'
-- since 0.3.0; before, classification was judged by f1_macro and regression by r2), its
-- train, test and cross-validated scores, and the baseline's score (always the training rows'
-- most frequent class or mean) on the same rows.
CREATE OR REPLACE VIEW dm.summary WITH (security_barrier) AS
SELECT m.name,
       m.version,
       d.version IS NOT NULL AS deployed,
       m.task,
       m.algorithm,
       m.target,
       jsonb_array_length(m.features) AS n_features,
       (m.row_counts ->> 'used')::bigint AS rows_used,
       k.metric,
       round((m.metrics -> 'train' ->> k.metric)::numeric, 4) AS train_score,
       round((m.metrics -> 'test' ->> k.metric)::numeric, 4) AS test_score,
       cardinality(m.warnings) AS n_warnings,
       m.created_at,
       o.owner::text AS owner,
       round((m.metrics -> 'baseline' ->> k.metric)::numeric, 4) AS baseline_score
FROM dm.models m
CROSS JOIN LATERAL (SELECT coalesce(m.metrics -> 'objective' ->> 'name',
                                    CASE m.task WHEN 'classification' THEN 'f1_macro' WHEN 'regression' THEN 'r2' END) AS metric) k
JOIN dm.owners o ON o.name = m.name
LEFT JOIN dm.deployed d ON d.name = m.name AND d.version = m.version
WHERE dm_has_model_privilege(m.name, 'score')
ORDER BY m.name, m.version;
COMMENT ON VIEW dm.summary IS 'One readable row per model version the current role may score: deployed flag, the metric it was judged by with its train and test score and the baseline''s, rows, warnings, owner';

CREATE OR REPLACE VIEW dm.runs WITH (security_barrier) AS
SELECT m.name,
       m.version,
       m.created_at,
       m.created_by,
       CASE WHEN dm_has_model_privilege(m.name, 'manage') THEN m.relation END AS relation,
       m.data_fingerprint,
       (m.row_counts ->> 'used')::bigint AS rows_used,
       m.algorithm,
       m.hyperparams,
       k.metric,
       (m.metrics -> 'test' ->> k.metric)::float8 AS test_score,
       (m.metrics -> 'cv' -> 'mean' ->> k.metric)::float8 AS cv_score,
       (SELECT count(*) FROM dm.trials t WHERE t.name = m.name AND t.version = m.version) AS trials,
       d.version IS NOT NULL AS deployed,
       m.warnings,
       (m.metrics -> 'baseline' ->> k.metric)::float8 AS baseline_score
FROM dm.models m
CROSS JOIN LATERAL (SELECT coalesce(m.metrics -> 'objective' ->> 'name',
                                    CASE m.task WHEN 'classification' THEN 'f1_macro' WHEN 'regression' THEN 'r2' END) AS metric) k
LEFT JOIN dm.deployed d ON d.name = m.name AND d.version = m.version
WHERE dm_has_model_privilege(m.name, 'train')
ORDER BY m.created_at, m.name, m.version;
COMMENT ON VIEW dm.runs IS 'Experiment tracking for the models the current role may train: every run with its data fingerprint, settings, the metric it was judged by with its test, CV and baseline score, trials and warnings (the source query for those it may manage)';

CREATE OR REPLACE VIEW dm.versions WITH (security_barrier) AS
SELECT m.name, m.version, m.task, m.algorithm, m.relation, m.target, m.target_type, m.features,
       m.classes, m.preprocessing, m.hyperparams, m.options, m.metrics, m.row_counts, m.split,
       m.data_fingerprint, m.timings, m.warnings, m.created_at, m.created_by, m.format_version,
       pg_column_size(m.model_bytes) AS model_size, m.profile, m.threshold
FROM dm.models m
WHERE dm_has_model_privilege(m.name, 'manage')
ORDER BY m.name, m.version;
-- The extension's internal functions live in schema dm, beside the catalog, not in the schema
-- of the functions users call: the aggregates' state and final functions (an aggregate calls
-- them with its owner's rights, so no role needs, or has, EXECUTE on them) and the trigger
-- function of the catalog tables. Moved here, in the last step of the script, because pgrx
-- creates an aggregate's support functions in the aggregate's own schema.
ALTER FUNCTION class_metrics_class_metrics_state(internal, anyelement, anyelement) SET SCHEMA dm;
ALTER FUNCTION class_metrics_class_metrics_finalize(internal) SET SCHEMA dm;
ALTER FUNCTION class_metrics_scored_class_metrics_scored_state(internal, anyelement, anyelement, double precision) SET SCHEMA dm;
ALTER FUNCTION class_metrics_scored_class_metrics_scored_finalize(internal) SET SCHEMA dm;
ALTER FUNCTION cluster_metrics_cluster_metrics_state(internal, double precision[], bigint) SET SCHEMA dm;
ALTER FUNCTION cluster_metrics_cluster_metrics_finalize(internal) SET SCHEMA dm;
ALTER FUNCTION reg_metrics_reg_metrics_state(internal, double precision, double precision) SET SCHEMA dm;
ALTER FUNCTION reg_metrics_reg_metrics_finalize(internal) SET SCHEMA dm;
ALTER FUNCTION k_means_2_k_means_2_state(internal, double precision[], integer) SET SCHEMA dm;
ALTER FUNCTION k_means_2_k_means_2_finalize(internal) SET SCHEMA dm;
ALTER FUNCTION k_means_3_k_means_3_state(internal, double precision[], integer, jsonb) SET SCHEMA dm;
ALTER FUNCTION k_means_3_k_means_3_finalize(internal) SET SCHEMA dm;
ALTER FUNCTION dm_catalog_changed() SET SCHEMA dm;
REVOKE ALL ON FUNCTION
    dm.class_metrics_class_metrics_state(internal, anyelement, anyelement),
    dm.class_metrics_class_metrics_finalize(internal),
    dm.class_metrics_scored_class_metrics_scored_state(internal, anyelement, anyelement, double precision),
    dm.class_metrics_scored_class_metrics_scored_finalize(internal),
    dm.cluster_metrics_cluster_metrics_state(internal, double precision[], bigint),
    dm.cluster_metrics_cluster_metrics_finalize(internal),
    dm.reg_metrics_reg_metrics_state(internal, double precision, double precision),
    dm.reg_metrics_reg_metrics_finalize(internal),
    dm.k_means_2_k_means_2_state(internal, double precision[], integer),
    dm.k_means_2_k_means_2_finalize(internal),
    dm.k_means_3_k_means_3_state(internal, double precision[], integer, jsonb),
    dm.k_means_3_k_means_3_finalize(internal),
    dm.dm_catalog_changed()
FROM PUBLIC;
