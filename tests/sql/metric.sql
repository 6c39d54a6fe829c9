-- The metric a run is judged by (issue 18, item 1): options.metric drives search, auto and the
-- deploy policy; balanced_accuracy by default; the baseline beside it; if_better never
-- deploys what the baseline beats; the probability metrics (item 5); guards that block (item 9).
SET client_min_messages = warning;

-- A churn table with 5% positives: tenure and complaints carry the signal, noise nothing.
CREATE TABLE churn_m AS
SELECT i AS id,
       (i * 7919 % 1000)::float8 / 10 AS tenure,
       (i * 13 % 11)::float8 AS complaints,
       (i * 104729 % 9973)::float8 AS noise,
       ((i * 7919 % 1000) < 80 AND (i * 13 % 11) >= 4) OR i % 89 = 0 AS churned
FROM generate_series(1, 3000) i;
SELECT count(*) FILTER (WHERE churned) AS positives, count(*) AS rows FROM churn_m;

-- By default a classification is judged by balanced_accuracy, beside the baseline's score.
SELECT (metrics -> 'objective') AS objective,
       round((metrics -> 'baseline' ->> 'balanced_accuracy')::numeric, 4) AS baseline,
       round((metrics -> 'baseline' ->> 'accuracy')::numeric, 4) AS baseline_accuracy,
       round((metrics -> 'test' ->> 'balanced_accuracy')::numeric, 4) AS balanced_accuracy
FROM dm_train('churn_m', 'SELECT tenure, complaints, churned FROM churn_m', 'churned', 'decision_tree',
              '{"max_depth": 4}');
SELECT name, version, deployed, metric, test_score > baseline_score AS better, baseline_score
FROM dm.summary WHERE name = 'churn_m' ORDER BY version;

-- The test rows' probability metrics beside the baseline's (the training rows' class shares
-- as probabilities: roc_auc 0.5, pr_auc the positive share, log_loss their entropy).
SELECT k AS metric, round((metrics -> 'baseline' ->> k)::numeric, 4) AS baseline,
       CASE WHEN k IN ('log_loss', 'brier') THEN (metrics -> 'test' ->> k)::float8 < (metrics -> 'baseline' ->> k)::float8
            ELSE (metrics -> 'test' ->> k)::float8 > (metrics -> 'baseline' ->> k)::float8 END AS model_is_better
FROM dm.models, unnest(ARRAY['roc_auc', 'pr_auc', 'log_loss', 'brier']) k
WHERE name = 'churn_m' ORDER BY k;
-- A version judged by log_loss (lower is better), cross-validated.
SELECT metrics -> 'objective' AS objective, (metrics -> 'cv' -> 'mean' ->> 'log_loss')::float8 > 0 AS cv_log_loss, deployed
FROM dm_train('churn_m', 'SELECT tenure, complaints, churned FROM churn_m', 'churned', 'decision_tree',
              '{"max_depth": 6}', '{"metric": "log_loss", "cv": 3}');

-- A model of the noise column predicts the majority class: accuracy 0.94, balanced accuracy
-- 0.5 = the baseline's. if_better does not deploy it, not even as a model's first version.
SELECT round((metrics -> 'test' ->> 'accuracy')::numeric, 2) AS accuracy,
       round((metrics -> 'test' ->> 'balanced_accuracy')::numeric, 4) AS balanced_accuracy
FROM dm_train('churn_noise', 'SELECT noise, churned FROM churn_m', 'churned', 'decision_tree', '{"max_depth": 1}');
SELECT count(*) AS deployed_noise_models FROM dm.deployed WHERE name = 'churn_noise';
SELECT version, deployed
FROM dm_train('churn_noise', 'SELECT noise, churned FROM churn_m', 'churned', 'decision_tree', '{"max_depth": 1}');
-- deploy "always" still deploys it.
SELECT version FROM dm_train('churn_noise', 'SELECT noise, churned FROM churn_m', 'churned', 'decision_tree',
                             '{"max_depth": 1}', '{"deploy": "always"}');
SELECT version FROM dm.deployed WHERE name = 'churn_noise';

-- options.metric drives the search: each trial is scored by recall.
SELECT metrics -> 'objective' ->> 'name' AS metric
FROM dm_train('churn_recall', 'SELECT tenure, complaints, noise, churned FROM churn_m', 'churned', 'decision_tree', NULL,
              '{"metric": "recall", "search": {"method": "grid", "params": {"max_depth": [1, 2, 6]}, "folds": 3}, "deploy": "never"}');
SELECT DISTINCT metric FROM dm.search_trials WHERE name = 'churn_recall';
-- The chosen trial has the best mean recall.
SELECT (SELECT params FROM dm.search_trials WHERE name = 'churn_recall' AND chosen)
       = (SELECT params FROM dm.search_trials WHERE name = 'churn_recall' ORDER BY mean_score DESC, trial LIMIT 1) AS chose_best;
SELECT metric, round(test_score::numeric, 4) = round((SELECT (metrics -> 'test' ->> 'recall')::numeric FROM dm.models WHERE name = 'churn_recall'), 4) AS is_recall,
       baseline_score
FROM dm.runs WHERE name = 'churn_recall';

-- And auto: the candidates are ranked by it.
SELECT metrics -> 'auto' ->> 'metric' AS auto_metric
FROM dm_train('churn_auto', 'SELECT tenure, complaints, churned FROM churn_m', 'churned', 'auto',
              options => '{"metric": "mcc", "time_budget_s": 30}');
-- 2,400 training rows, above 1,000: auto also tried the two best families near their defaults
-- and trained the winner with its own hyperparameters.
SELECT count(DISTINCT c ->> 'algorithm') FILTER (WHERE c -> 'hyperparams' <> '{}') AS families_searched,
       count(*) FILTER (WHERE c -> 'hyperparams' <> '{}') >= 2 AS settings_tried,
       bool_and(m.algorithm = m.metrics -> 'auto' ->> 'winner') AS trained_the_winner
FROM dm.models m, jsonb_array_elements(m.metrics -> 'auto' -> 'candidates') c WHERE m.name = 'churn_auto';
SELECT t.version FROM dm.models a,
       LATERAL dm_train('churn_auto_named', 'SELECT tenure, complaints, churned FROM churn_m', 'churned', a.algorithm,
                        a.metrics -> 'auto' -> 'hyperparams', '{"metric": "mcc", "deploy": "never"}') t
WHERE a.name = 'churn_auto';
SELECT (SELECT hyperparams FROM dm.models WHERE name = 'churn_auto')
     = (SELECT hyperparams FROM dm.models WHERE name = 'churn_auto_named') AS with_the_winners_hyperparams;

-- A lower-is-better metric: if_better deploys a version with a lower rmse only.
CREATE TABLE wear AS
SELECT i AS id, (i % 50)::float8 AS hours, (i * 13 % 17)::float8 AS load, (i * 7 % 5)::float8 AS shift,
       0.6 * (i % 50) + 2.0 * (i * 13 % 17) + (i * 7 % 5) AS wear
FROM generate_series(1, 1000) i;
SELECT metrics -> 'objective' AS objective
FROM dm_train('wear', 'SELECT hours, load, wear FROM wear', 'wear', 'linear_regression', options => '{"metric": "rmse"}');
SELECT version FROM dm_train('wear', 'SELECT hours, wear FROM wear', 'wear', 'linear_regression', options => '{"metric": "rmse"}');
SELECT version AS deployed FROM dm.deployed WHERE name = 'wear';
SELECT version FROM dm_train('wear', 'SELECT hours, load, wear FROM wear', 'wear', 'ridge', '{"alpha": 0.0001}', '{"metric": "rmse"}');
SELECT version FROM dm_train('wear', 'SELECT hours, load, shift, wear FROM wear', 'wear', 'linear_regression', options => '{"metric": "rmse"}');
SELECT version, metric, round(test_score::numeric, 3) AS rmse, round(baseline_score::numeric, 3) AS baseline_rmse, deployed
FROM dm.summary WHERE name = 'wear' ORDER BY version;

-- Decision thresholds (issue 18, item 3): tuned off the test rows, stored with the version,
-- used by every way of scoring, and changed after training by dm_set_threshold.
SELECT metrics -> 'threshold' ->> 'tuned_on' AS tuned_on, metrics -> 'threshold' -> 'rule' AS rule,
       (metrics -> 'threshold' ->> 'value')::float8 < 0.5 AS below_half,
       (metrics -> 'test' ->> 'recall')::float8 >= 0.8 AS test_recall_at_least_08
FROM dm_train('churn_t', 'SELECT tenure, complaints, churned FROM churn_m', 'churned', 'logistic_regression',
              options => '{"threshold": {"recall": 0.95}, "deploy": "always"}');
SELECT (SELECT threshold FROM dm.versions WHERE name = 'churn_t') = (SELECT (metrics -> 'threshold' ->> 'value')::float8
        FROM dm.models WHERE name = 'churn_t') AS stored;
-- dm_predict_label follows it: more rows called churners than by the most probable class.
SELECT count(*) FILTER (WHERE dm_predict_label('churn_t', ROW(tenure, complaints)) = 'true')
       > count(*) FILTER (WHERE (dm_predict_proba('churn_t', ROW(tenure, complaints)))[2] > 0.5) AS more_positives
FROM churn_m;
SELECT count(*) FILTER (WHERE dm_predict_label('churn_t', ROW(tenure, complaints)) = 'true')
       = count(*) FILTER (WHERE (dm_predict_proba('churn_t', ROW(tenure, complaints)))[2]
                                >= (SELECT threshold FROM dm.versions WHERE name = 'churn_t')) AS at_the_threshold
FROM churn_m;
-- A business decision after training: only the surest churners; then back to the argmax.
SELECT dm_set_threshold('churn_t', 1, 0.9);
SELECT count(*) FILTER (WHERE dm_predict_label('churn_t', ROW(tenure, complaints)) = 'true')
       = count(*) FILTER (WHERE (dm_predict_proba('churn_t', ROW(tenure, complaints)))[2] >= 0.9) AS at_09
FROM churn_m;
-- A scoring trigger uses it too.
CREATE TABLE churn_scored (tenure float8, complaints float8, churned text);
CREATE TRIGGER score BEFORE INSERT ON churn_scored FOR EACH ROW EXECUTE FUNCTION dm_score_trigger('churn_t', 'churned', 'label');
INSERT INTO churn_scored (tenure, complaints) SELECT tenure, complaints FROM churn_m;
SELECT (SELECT count(*) FROM churn_scored WHERE churned = 'true')
       = (SELECT count(*) FROM churn_m WHERE (dm_predict_proba('churn_t', ROW(tenure, complaints)))[2] >= 0.9) AS trigger_at_09;
DROP TABLE churn_scored;
SELECT dm_set_threshold('churn_t', 1, NULL) IS NULL AS cleared;
SELECT count(*) FILTER (WHERE dm_predict_label('churn_t', ROW(tenure, complaints)) = 'true')
       = count(*) FILTER (WHERE (dm_predict_proba('churn_t', ROW(tenure, complaints)))[2] > 0.5) AS argmax_again
FROM churn_m;
\set VERBOSITY terse
SELECT dm_set_threshold('churn_t', 1, 1.5);
SELECT dm_set_threshold('churn_t', 7, 0.5);
SELECT dm_set_threshold('wear', 1, 0.5);
SELECT dm_train('bad_t', 'SELECT tenure, complaints::int % 3 AS c FROM churn_m', 'c', 'decision_tree', NULL, '{"threshold": 0.5}');
SELECT dm_train('bad_t', 'SELECT tenure, churned FROM churn_m', 'churned', 'decision_tree', NULL, '{"threshold": {"optimize": "auc"}}');
\set VERBOSITY default

-- Class weights for every classifier (issue 18, item 2): "balanced" (scikit-learn's
-- rows / (classes × rows of the class)) or a weight per class, in gradient boosting, naive
-- Bayes, the trees, forests and mlp as in the linear models and SVMs. Naive Bayes finds the rare
-- class (recall 0 unweighted); the others trade precision for recall.
SELECT version FROM dm_train('cw_gb', 'SELECT tenure, complaints, noise, churned FROM churn_m', 'churned', 'gradient_boosting', '{"n_estimators": 30}', '{"deploy": "never"}');
SELECT version FROM dm_train('cw_gb_bal', 'SELECT tenure, complaints, noise, churned FROM churn_m', 'churned', 'gradient_boosting', '{"n_estimators": 30, "class_weight": "balanced"}', '{"deploy": "never"}');
SELECT version FROM dm_train('cw_nb', 'SELECT tenure, complaints, noise, churned FROM churn_m', 'churned', 'naive_bayes', NULL, '{"deploy": "never"}');
SELECT version FROM dm_train('cw_nb_bal', 'SELECT tenure, complaints, noise, churned FROM churn_m', 'churned', 'naive_bayes', '{"class_weight": "balanced"}', '{"deploy": "never"}');
SELECT version FROM dm_train('cw_rf', 'SELECT tenure, complaints, noise, churned FROM churn_m', 'churned', 'random_forest', '{"n_estimators": 30, "min_samples_leaf": 20}', '{"deploy": "always"}');
SELECT version FROM dm_train('cw_rf_bal', 'SELECT tenure, complaints, noise, churned FROM churn_m', 'churned', 'random_forest', '{"n_estimators": 30, "min_samples_leaf": 20, "class_weight": "balanced"}', '{"deploy": "always"}');
SELECT version FROM dm_train('cw_et_map', 'SELECT tenure, complaints, noise, churned FROM churn_m', 'churned', 'extra_trees', '{"n_estimators": 30, "min_samples_leaf": 20, "class_weight": {"true": 8}}', '{"deploy": "never"}');
SELECT version FROM dm_train('cw_tree_bal', 'SELECT tenure, complaints, noise, churned FROM churn_m', 'churned', 'decision_tree', '{"max_depth": 3, "class_weight": "balanced"}', '{"deploy": "never"}');
SELECT version FROM dm_train('cw_mlp_bal', 'SELECT tenure, complaints, noise, churned FROM churn_m', 'churned', 'mlp', '{"hidden_layer_sizes": [16], "class_weight": "balanced"}', '{"deploy": "never"}');
SELECT name, coalesce(h.value ->> 'class_weight', 'none') AS class_weight,
       round((metrics -> 'test' ->> 'recall')::numeric, 3) AS recall, round((metrics -> 'test' ->> 'precision')::numeric, 3) AS precision
FROM dm.models, jsonb_each(hyperparams) h WHERE name LIKE 'cw_%' ORDER BY name;
-- The weighted forest's probabilities are weighted class shares: its mean probability of churn
-- is well above the unweighted forest's.
SELECT dm_model_classes('cw_rf') AS classes,
       avg((dm_predict_proba('cw_rf_bal', c))[2]) > 2 * avg((dm_predict_proba('cw_rf', c))[2]) AS shifted
FROM churn_m c;
\set VERBOSITY terse
SELECT dm_train('cw_bad', 'SELECT tenure, noise FROM churn_m', 'noise', 'gradient_boosting', '{"class_weight": "balanced"}');
SELECT dm_train('cw_bad', 'SELECT tenure, churned FROM churn_m', 'churned', 'random_forest', '{"class_weight": {"maybe": 2}}');
SELECT dm_train('cw_bad', 'SELECT tenure, churned FROM churn_m', 'churned', 'mlp', '{"class_weight": {"true": -1}}');
SELECT dm_train('cw_bad', 'SELECT tenure, churned FROM churn_m', 'churned', 'knn', '{"class_weight": "balanced"}');
\set VERBOSITY default
SELECT count(*) AS dropped FROM (SELECT dm_drop_model(name) FROM dm.models WHERE name LIKE 'cw_%') d;

-- Guards that can block (issue 18, item 9): with options.guards "error" the trap stops the run
-- and nothing is stored.
\set VERBOSITY terse
SELECT dm_train('blocked', 'SELECT tenure, complaints, churned::int AS leak, churned FROM churn_m', 'churned', 'decision_tree',
                NULL, '{"guards": "error"}');
SELECT dm_train('blocked', 'SELECT noise, churned FROM churn_m', 'churned', 'decision_tree', '{"max_depth": 1}', '{"guards": "error"}');
SELECT dm_train('blocked', 'SELECT tenure, complaints, (DATE ''2026-01-01'' + id) AS signed_up, churned FROM churn_m', 'churned',
                'decision_tree', NULL, '{"guards": "error"}');
-- With dedup off the copies of a row stay on one side (no test row copies a training row), so
-- complaints alone is judged on values it never saw: no better than the baseline, blocked.
SELECT dm_train('blocked', 'SELECT complaints, churned FROM churn_m', 'churned', 'decision_tree', NULL, '{"guards": "error", "dedup": false}');
SELECT dm_train('blocked', 'SELECT tenure, churned FROM churn_m', 'churned', 'decision_tree', NULL, '{"guards": "block"}');
\set VERBOSITY default
SELECT count(*) AS stored FROM dm.models WHERE name = 'blocked';
-- The default, "warn", stores the leaky model with its warning.
SELECT version, deployed FROM dm_train('blocked', 'SELECT tenure, complaints, churned::int AS leak, churned FROM churn_m', 'churned',
                                       'decision_tree');
SELECT name, n_warnings > 0 AS warned FROM dm.summary WHERE name = 'blocked';

-- What the metric can be, in clear errors.
\set VERBOSITY terse
SELECT dm_train('bad_m', 'SELECT tenure, churned FROM churn_m', 'churned', 'decision_tree', NULL, '{"metric": "r2"}');
SELECT dm_train('bad_m', 'SELECT tenure, complaints::int % 3 AS c FROM churn_m', 'c', 'decision_tree', NULL, '{"metric": "recall"}');
SELECT dm_train('bad_m', 'SELECT tenure, complaints FROM churn_m', NULL, 'kmeans', '{"n_clusters": 2}', '{"metric": "silhouette"}');
SELECT dm_train('bad_m', 'SELECT tenure, churned FROM churn_m', 'churned', 'decision_tree', NULL, '{"metric": 1}');
\set VERBOSITY default

SELECT n, dm_drop_model(n) FROM unnest(ARRAY['churn_m', 'churn_noise', 'churn_recall', 'churn_auto', 'churn_auto_named', 'wear', 'blocked', 'churn_t']) n;
DROP TABLE churn_m, wear;
