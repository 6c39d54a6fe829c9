-- Evaluation that cannot fool its user: dm_evaluate, metric aggregates, curves, guards, CV, search.
SET client_min_messages = warning;

-- dm_evaluate on a relation holding the target (the churn models of train_predict).
SELECT key, round(value::numeric, 4) AS value
FROM jsonb_each_text(dm_evaluate('churn', 'customers') - 'per_class' - 'model' - 'rows_selected')
ORDER BY key;
SELECT dm_evaluate('churn', 'customers') -> 'per_class' -> 'true' ->> 'support' AS true_support,
       dm_evaluate('churn', 'customers') ->> 'model' AS model;
-- Per segment (bias across groups), beside the overall numbers.
SELECT g ->> 'group' AS plan, (g -> 'metrics' ->> 'rows')::int AS rows,
       round((g -> 'metrics' ->> 'accuracy')::numeric, 3) AS accuracy,
       round((g -> 'metrics' ->> 'baseline_accuracy')::numeric, 3) AS baseline
FROM jsonb_array_elements(dm_evaluate('churn', 'customers', 'plan') -> 'groups') g ORDER BY 1;
-- Regression.
SELECT key, round(value::numeric, 4) AS value
FROM jsonb_each_text(dm_evaluate('price@1', 'houses') - 'model' - 'rows_selected' - 'interval_coverage') ORDER BY key;

-- The aggregates work on any query, with GROUP BY, and agree with dm_evaluate.
SELECT (dm_classification_metrics(churned, dm_predict('churn', c) = 1) ->> 'accuracy')::float8
       = (dm_evaluate('churn', 'customers') ->> 'accuracy')::float8 AS same_accuracy
FROM customers c;
SELECT plan, round((m ->> 'accuracy')::numeric, 3) AS accuracy, round((m ->> 'roc_auc')::numeric, 3) AS roc_auc,
       m ->> 'positive_label' AS positive, m -> 'labels' AS labels
FROM (SELECT plan, dm_classification_metrics(churned, dm_predict('churn', c) = 1, (dm_predict_proba('churn', c))[2]) AS m
      FROM customers c GROUP BY plan) s ORDER BY plan;
SELECT dm_classification_metrics(plan, CASE WHEN age > 50 THEN 'pro' ELSE plan END) -> 'per_class' -> 'pro' AS pro
FROM customers;
SELECT region, round((m ->> 'r2')::numeric, 4) AS r2, round((m ->> 'max_error')::numeric, 3) AS max_error, m ->> 'rows' AS rows
FROM (SELECT region, dm_regression_metrics(price, dm_predict('price@1', h)) AS m FROM houses h GROUP BY region) s
ORDER BY region;
SELECT dm_regression_metrics(price, NULL) FROM houses;
SELECT dm_classification_metrics(1, 1) FROM houses WHERE false;

-- Clustering metrics of any clustering, per group too.
SELECT plan, m ->> 'clusters' AS clusters, m -> 'sizes' AS sizes, round((m ->> 'silhouette')::numeric, 4) AS silhouette,
       round((m ->> 'davies_bouldin')::numeric, 4) AS davies_bouldin, round((m ->> 'inertia')::numeric, 1) AS inertia
FROM (SELECT plan, dm_clustering_metrics(ARRAY[age, tenure]::float8[], (tenure > 36)::int) AS m FROM customers GROUP BY plan) s
ORDER BY plan;
SELECT dm_clustering_metrics(CASE WHEN id = 3 THEN NULL ELSE ARRAY[age]::float8[] END, 0) ->> 'skipped' AS skipped FROM customers;
SELECT err($$SELECT dm_clustering_metrics(CASE WHEN id = 9 THEN ARRAY[age] ELSE ARRAY[age, tenure] END::float8[], 1) FROM customers$$);

-- Confusion matrix and curves.
SELECT * FROM dm_confusion_matrix('churn@2', 'customers');
SELECT count(*) > 2 AS points, min(fpr) AS min_fpr, max(tpr) AS max_tpr,
       bool_and(threshold = 'Infinity' OR threshold BETWEEN 0 AND 1) AS thresholds_ok
FROM dm_roc_curve('churn@3', 'customers');
SELECT threshold, precision, recall FROM dm_pr_curve('churn@3', 'customers') WHERE threshold IS NULL;
SELECT count(*) AS roc_points_for_false FROM dm_roc_curve('churn@3', 'customers', 'false') WHERE fpr = 0;

-- Guards at training time: a leaky column, a time-like column with a random split,
-- duplicates, imbalance with its baseline.
CREATE TABLE leaky AS
SELECT i, (i % 10)::float8 AS x, (i * 7 % 13)::float8 AS z, i % 10 > 6 AS y, CASE WHEN i % 10 > 6 THEN 'refund' ELSE 'none' END AS outcome_code
FROM generate_series(1, 800) i;
SELECT version FROM dm_train('leaky', 'leaky', 'y', 'decision_tree', options => '{"features": ["z", "outcome_code"]}');
SELECT unnest(warnings) AS warning FROM dm.models WHERE name = 'leaky';
SELECT row_counts FROM dm.models WHERE name = 'leaky';
CREATE TABLE dupes AS SELECT (i % 5)::float8 AS x, i % 5 > 2 AS y FROM generate_series(1, 500) i;
SELECT version FROM dm_train('dupes', 'dupes', 'y', 'decision_tree');
SELECT row_counts FROM dm.models WHERE name = 'dupes';
SELECT version FROM dm_train('dupes', 'dupes', 'y', 'decision_tree', options => '{"dedup": false}');
-- Kept duplicates stay on one side of the split: none of the test rows is a training row.
SELECT dm_evaluate('dupes@2', 'dupes', rows => 'test') ->> 'training_rows' AS copies_in_test;
SELECT round((dm_evaluate('rare', 'rare') ->> 'baseline_accuracy')::numeric, 3) AS baseline,
       round((dm_evaluate('rare', 'rare') ->> 'balanced_accuracy')::numeric, 3) AS balanced;

-- Cross-validation: k stratified folds, mean and standard deviation, stored.
SELECT (metrics -> 'cv' ->> 'folds')::int AS folds,
       round((metrics -> 'cv' -> 'mean' ->> 'accuracy')::numeric, 2) >= 0.9 AS cv_accurate,
       (metrics -> 'cv' -> 'std' ->> 'accuracy')::float8 < 0.1 AS stable
FROM dm_train('churn_cv', 'customers', 'churned', 'decision_tree', '{"max_depth": 8}', '{"exclude": ["id", "signup_date"], "cv": 5}');

-- A search that picks the better of two settings, scored by CV on the training rows.
SELECT version, metrics -> 'test' ->> 'accuracy' > '0.9' AS good
FROM dm_train('searched', 'customers', 'churned', 'decision_tree', '{"min_samples_leaf": 2}',
              '{"exclude": ["id", "signup_date"], "search": {"params": {"max_depth": [1, 8]}, "folds": 3}}');
SELECT trial, params, metric, array_length(fold_scores, 1) AS folds, round(mean_score::numeric, 3) > 0.9 AS good, chosen
FROM dm.trials WHERE name = 'searched' ORDER BY trial;
SELECT hyperparams -> 'DecisionTree' -> 'tree' ->> 'max_depth' AS chosen_depth,
       hyperparams -> 'DecisionTree' -> 'tree' ->> 'min_samples_leaf' AS kept_leaf
FROM dm.models WHERE name = 'searched';
SELECT version FROM dm_train('searched', 'customers', 'churned', 'decision_tree', NULL,
  '{"exclude": ["id", "signup_date"], "deploy": "never", "search": {"method": "random", "n_iter": 3, "folds": 2, "params": {"max_depth": {"min": 2, "max": 6, "int": true}, "criterion": ["gini", "entropy"]}}}');
SELECT count(*) AS trials, bool_and((params ->> 'max_depth')::int BETWEEN 2 AND 6) AS in_range, count(*) FILTER (WHERE chosen) AS chosen
FROM dm.trials WHERE name = 'searched' AND version = 2;
-- Experiment tracking: every run, its data, settings and scores.
SELECT name, version, algorithm, metric, test_score > 0.8 AS good, cv_score IS NOT NULL AS has_cv, trials, deployed,
       data_fingerprint = (SELECT data_fingerprint FROM dm.models WHERE name = 'churn_cv') AS same_data
FROM dm.runs WHERE name IN ('churn_cv', 'searched') ORDER BY name, version;

-- Bad input.
SELECT err($$SELECT dm_evaluate('churn', 'SELECT age, plan FROM customers')$$);
SELECT err($$SELECT dm_evaluate('churn', 'SELECT id, age::text AS age, plan, tenure, monthly_spend, support_calls, signup_date, churned FROM customers')$$);
SELECT err($$SELECT dm_evaluate('price', 'SELECT a, b, region, region AS price FROM houses')$$);
SELECT err($$SELECT dm_evaluate('churn', 'customers', 'nope')$$);
SELECT err($$SELECT * FROM dm_train('x', 'customers', 'churned', options => '{"cv": 1}')$$);
SELECT err($$SELECT * FROM dm_train('x', 'rare', 'rare', options => '{"cv": 50}')$$);
SELECT err($$SELECT * FROM dm_train('x', 'customers', 'churned', 'decision_tree', options => '{"search": {"params": {}}}')$$);
SELECT err($$SELECT * FROM dm_train('x', 'customers', 'churned', 'decision_tree', options => '{"search": {"params": {"depth": [1, 2]}}}')$$);
SELECT err($$SELECT * FROM dm_train('x', 'customers', 'churned', 'decision_tree', options => '{"search": {"params": {"max_depth": {"min": 1, "max": 3}}}}')$$);
SELECT err($$SELECT * FROM dm_roc_curve('price', 'houses')$$);
SELECT err($$SELECT * FROM dm_roc_curve('churn', 'customers', 'maybe')$$);
SELECT err($$SELECT * FROM dm_roc_curve('churn', 'SELECT * FROM customers WHERE churned')$$);
SELECT err($$SELECT * FROM dm_confusion_matrix('price', 'houses')$$);
SELECT dm_evaluate('churn', 'customers') ->> 'rows' AS still_working;
-- class_weight "balanced" (logistic_regression, svm): on a rare class the plain model predicts
-- the majority for every row; weights by inverse class frequency find the rare rows.
CREATE TABLE claims AS
SELECT i AS id, ((i * 37) % 100)::float8 AS amount, ((i * 53) % 90)::float8 AS age,
       (i * 37) % 100 + (i * 71) % 45 > 128 AS fraud
FROM generate_series(1, 900) i;
SELECT count(*) FILTER (WHERE fraud) AS fraud, count(*) AS claims FROM claims;
SELECT (p.metrics -> 'test' ->> 'recall')::float8 AS plain_recall, (b.metrics -> 'test' ->> 'recall')::float8 AS balanced_recall,
       (p.metrics -> 'test' ->> 'balanced_accuracy')::float8 AS plain_balanced_accuracy,
       (b.metrics -> 'test' ->> 'balanced_accuracy')::float8 > 0.9 AS balanced_beats_0_9
FROM dm_train('claims_plain', 'claims', 'fraud', 'logistic_regression', '{}', '{"exclude": ["id"]}') p,
     dm_train('claims_balanced', 'claims', 'fraud', 'logistic_regression', '{"class_weight": "balanced"}', '{"exclude": ["id"]}') b;
-- A weight per class: the map names classes by their text (here true and false); a label that
-- is no class is an error listing them.
SELECT (metrics -> 'test' ->> 'recall')::float8 >= 0.9 AS weighted_recall_0_9
FROM dm_train('claims_weighted', 'claims', 'fraud', 'logistic_regression', '{"class_weight": {"true": 10}}', '{"exclude": ["id"]}');
SELECT hyperparams FROM dm.models WHERE name = 'claims_weighted';
SELECT err($$SELECT * FROM dm_train('x', 'claims', 'fraud', 'logistic_regression', '{"class_weight": {"yes": 10}}')$$);
SELECT err($$SELECT * FROM dm_train('x', 'claims', 'fraud', 'logistic_regression', '{"class_weight": {"true": 0}}')$$);
