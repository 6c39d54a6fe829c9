-- The readable views of the catalog. Each shows a role only the models it has a right on
-- (dm_has_model_privilege, catalog/rights.rs): security_barrier, so that no function of the
-- caller's sees a row the filter drops.

CREATE VIEW dm.deployed WITH (security_barrier) AS
SELECT DISTINCT ON (name) name, version, action, deployed_at, deployed_by
FROM dm.deployments
WHERE dm_has_model_privilege(name, 'score')
ORDER BY name, id DESC;
COMMENT ON VIEW dm.deployed IS 'The deployed version of each model the current role may score';

-- The metric each version was judged by (options.metric, stored in metrics -> 'objective'
-- since 0.3.0; before, classification was judged by f1_macro and regression by r2), its
-- train, test and cross-validated scores, and the baseline's score (always the training rows'
-- most frequent class or mean) on the same rows.
CREATE VIEW dm.summary WITH (security_barrier) AS
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
       pg_column_size(m.model_bytes) AS model_size, m.profile, m.threshold
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
