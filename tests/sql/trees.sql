-- The tree engine through dm_train: gradient_boosting (binary, multiclass, regression, early
-- stopping on a validation split), random_forest and extra_trees on binned features, feature
-- importance, scoring, bad hyperparameters.
SET client_min_messages = warning;
SELECT model, version, task, algorithm, (metrics -> 'test' ->> 'accuracy')::float8 > 0.95 AS accurate,
       (metrics -> 'fit') - 'curve' AS fit,
       jsonb_array_length(metrics -> 'fit' -> 'curve' -> 'train_loss') AS curve_rounds,
       metrics -> 'fit' -> 'curve' ? 'validation_loss' AS validation_curve
FROM dm_train('churn_gb', 'customers', 'churned', 'gradient_boosting', options => '{"exclude": ["id"]}');
-- The rule uses tenure, support_calls and plan: they carry most of the gain.
SELECT feature, round(importance::numeric, 3) > 0.05 AS matters, splits > 0 AS used
FROM dm_feature_importance('churn_gb') ORDER BY importance DESC, feature;
SELECT round(sum(importance)::numeric, 9) AS total FROM dm_feature_importance('churn_gb');
SELECT dm_predict_label('churn_gb', c) AS predicted, churned::text AS actual, count(*)
FROM customers c GROUP BY 1, 2 ORDER BY 1, 2;
SELECT (m ->> 'roc_auc')::float8 > 0.97 AS ranks_well FROM dm_evaluate('churn_gb', 'customers') m;
SELECT abs((SELECT sum(p) FROM unnest(dm_predict_proba('churn_gb', c)) p) - 1) < 1e-9 AS sums_to_one
FROM customers c WHERE id = 7;
-- dm_explain: base + contributions = log-odds, whose sigmoid is dm_predict_proba's second class.
SELECT e ->> 'output' AS output, e ->> 'method' AS method,
       abs((e ->> 'base')::float8 + (SELECT sum((c ->> 'contribution')::float8) FROM jsonb_array_elements(e -> 'contributions') c)
           - (e ->> 'log_odds')::float8) < 1e-9 AS adds_up,
       abs((e ->> 'probability')::float8 - (dm_predict_proba('churn_gb', x))[2]) < 1e-9 AS same_probability,
       jsonb_array_length(e -> 'contributions') AS features,
       e -> 'contributions' -> 0 ->> 'feature' AS top_feature
FROM customers x, LATERAL (SELECT dm_explain('churn_gb', x) AS e) s WHERE id = 7;
-- Regression with a validation split: early stopping keeps the best round.
SELECT model, task, (metrics -> 'test' ->> 'r2')::float8 > 0.99 AS r2_ok
FROM dm_train('price_gb', 'houses', 'price', 'gradient_boosting',
              '{"n_estimators": 2000, "learning_rate": 0.3}',
              '{"exclude": ["id"], "split": {"test_size": 0.2, "validation_size": 0.2}}');
SELECT hyperparams -> 'GradientBoosting' ->> 'n_estimators' AS asked, split ->> 'validation' AS validation_rows,
       (metrics -> 'fit' ->> 'rounds')::int < 2000 AS stopped_early,
       (metrics -> 'fit' ->> 'rounds_run')::int - (metrics -> 'fit' ->> 'rounds')::int AS patience,
       jsonb_array_length(metrics -> 'fit' -> 'curve' -> 'validation_loss')
         = (metrics -> 'fit' ->> 'rounds_run')::int AS a_validation_loss_per_round
FROM dm.models WHERE name = 'price_gb';
-- Multiclass with a depth limit, L2 and row subsampling; seeded, so the same twice.
CREATE TABLE segments AS
SELECT i, (i % 30)::float8 AS a, ((i / 30) % 30)::float8 AS b,
       CASE WHEN (i % 30) + ((i / 30) % 30) < 20 THEN 'low' WHEN (i % 30) + ((i / 30) % 30) < 38 THEN 'mid' ELSE 'high' END AS segment
FROM generate_series(0, 899) i;
-- (a diagonal boundary: axis-aligned trees get about 92% of the test rows; a random forest 94%)
SELECT model, (metrics -> 'test' ->> 'accuracy')::float8 > 0.9 AS accurate
FROM dm_train('seg_gb', 'SELECT a, b, segment FROM segments', 'segment', 'gradient_boosting',
              '{"max_depth": 3, "l2_regularization": 1.0, "subsample": 0.8, "min_samples_leaf": 5}');
SELECT dm_model_classes('seg_gb');
SELECT jsonb_array_length(dm_explain('seg_gb', ROW(3.0, 4.0)) -> 'classes') AS classes_explained;
SELECT model, (metrics -> 'test' ->> 'accuracy') = (SELECT metrics -> 'test' ->> 'accuracy' FROM dm.models WHERE name = 'seg_gb' AND version = 1) AS reproducible
FROM dm_train('seg_gb', 'SELECT a, b, segment FROM segments', 'segment', 'gradient_boosting',
              '{"max_depth": 3, "l2_regularization": 1.0, "subsample": 0.8, "min_samples_leaf": 5}');
-- Forests: random_forest (bootstrap) and extra_trees (random cuts, all rows), both seeded.
SELECT model, algorithm, (metrics -> 'test' ->> 'accuracy')::float8 > 0.95 AS accurate
FROM dm_train('churn_rf', 'customers', 'churned', 'random_forest', '{"n_estimators": 50}', '{"exclude": ["id", "signup_date"]}');
SELECT model, algorithm, (metrics -> 'test' ->> 'accuracy')::float8 > 0.9 AS accurate
FROM dm_train('churn_et', 'customers', 'churned', 'extra_trees', '{"n_estimators": 50}', '{"exclude": ["id", "signup_date"]}');
SELECT feature, importance > 0.1 AS matters FROM dm_feature_importance('churn_rf') ORDER BY importance DESC LIMIT 3;
SELECT hyperparams -> 'ExtraTrees' ->> 'bootstrap' AS bootstrap FROM dm.models WHERE name = 'churn_et';
SELECT round(sum(importance)::numeric, 9) AS total FROM dm_feature_importance('churn_et');
SELECT model, (metrics -> 'test' ->> 'r2')::float8 > 0.95 AS r2_ok
FROM dm_train('price_et', 'houses', 'price', 'extra_trees', '{"n_estimators": 30}', '{"exclude": ["id"]}');
SELECT err($$SELECT * FROM dm_train('x', 'customers', 'churned', 'extra_trees', '{"n_estimators": 0}')$$);
SELECT err($$SELECT * FROM dm_train('x', 'customers', 'churned', 'extra_trees', '{"max_features": 0}')$$);
SELECT err($$SELECT * FROM dm_train('x', 'customers', 'churned', 'random_forest', '{"min_samples_leaf": 5000}', '{"exclude": ["id", "signup_date"]}')$$);
SELECT err($$SELECT * FROM dm_train('x', 'customers', 'churned', 'decision_tree', '{"max_depth": 0}')$$);

-- Bad hyperparameters name themselves.
SELECT err($$SELECT * FROM dm_train('x', 'customers', 'churned', 'gradient_boosting', '{"n_estimators": 0}')$$);
SELECT err($$SELECT * FROM dm_train('x', 'customers', 'churned', 'gradient_boosting', '{"learning_rate": 0}')$$);
SELECT err($$SELECT * FROM dm_train('x', 'customers', 'churned', 'gradient_boosting', '{"subsample": 1.5}')$$);
SELECT err($$SELECT * FROM dm_train('x', 'customers', 'churned', 'gradient_boosting', '{"max_depth": 0}')$$);
SELECT err($$SELECT * FROM dm_train('x', 'customers', 'churned', 'gradient_boosting', '{"num_leaves": 1}')$$);
SELECT err($$SELECT * FROM dm_train('x', 'customers', 'churned', 'gradient_boosting', '{"min_samples_leaf": 5000}')$$);
SELECT err($$SELECT * FROM dm_train('x', 'customers', 'churned', 'gradient_boosting', '{"max_bins": 256}')$$);
SELECT err($$SELECT * FROM dm_train('x', 'customers', 'churned', 'gradient_boosting', '{"lambda": 1}')$$);
SELECT err($$SELECT * FROM dm_train('x', 'customers', NULL, 'gradient_boosting')$$);
SELECT err($$SELECT * FROM dm_feature_importance('seg_missing')$$);
SELECT err($$SELECT * FROM dm_train('lr', 'houses', 'price', 'linear_regression', options => '{"exclude": ["id"]}')$$);
SELECT err($$SELECT * FROM dm_feature_importance('lr')$$);
-- Forests and trees explain with exact SHAP values (TreeSHAP): base + contributions =
-- dm_predict_proba's second class (or the value), the base (the training average) the same for
-- every row.
SELECT count(*) AS rows, count(DISTINCT e ->> 'base') AS bases,
       bool_and(abs((e ->> 'base')::float8 + (SELECT sum((c ->> 'contribution')::float8) FROM jsonb_array_elements(e -> 'contributions') c)
                    - (e ->> 'probability')::float8) < 1e-9) AS adds_up,
       bool_and(abs((e ->> 'probability')::float8 - (dm_predict_proba('churn_rf', x))[2]) < 1e-9) AS is_the_probability
FROM customers x, LATERAL (SELECT dm_explain('churn_rf', x) AS e) s WHERE id <= 50;
SELECT e ->> 'output' AS output, e ->> 'method' AS method, (SELECT c ->> 'feature' FROM jsonb_array_elements(e -> 'contributions') c LIMIT 1) AS top
FROM customers x, LATERAL (SELECT dm_explain('churn_rf', x) AS e) s WHERE id = 7;
SELECT version FROM dm_train('price_dt', 'houses', 'price', 'decision_tree', '{"max_depth": 6}', '{"exclude": ["id"]}');
SELECT bool_and(abs((e ->> 'base')::float8 + (SELECT sum((c ->> 'contribution')::float8) FROM jsonb_array_elements(e -> 'contributions') c)
                    - dm_predict('price_dt', h)) < 1e-9) AS tree_adds_up
FROM houses h, LATERAL (SELECT dm_explain('price_dt', h) AS e) s WHERE id <= 50;
-- A linear model explains too, exactly (tests/sql/explain.sql has every method).
SELECT dm_explain('lr', h) ->> 'method' AS lr_method FROM houses h LIMIT 1;

-- Missing values: the tree learners keep a numeric NULL as missing (a bin of its own) and learn
-- at each split which side it goes to; other learners impute. Here a NULL reading means the
-- sensor failed, which predicts a fault (5% of labels are flipped at random).
CREATE TABLE sensors AS
SELECT i AS id, CASE WHEN i % 4 = 0 THEN NULL ELSE (i * 37) % 100 END AS reading, (i * 53) % 10 AS noise,
       (i % 4 = 0 OR (i * 37) % 100 > 70) <> ((i * 7919) % 20 = 0) AS fault
FROM generate_series(1, 2000) i;
SELECT model, (metrics -> 'test' ->> 'accuracy')::float8 > 0.9 AS accurate
FROM dm_train('fault_gb', 'sensors', 'fault', 'gradient_boosting', options => '{"exclude": ["id"]}');
SELECT model, (metrics -> 'test' ->> 'accuracy')::float8 > 0.9 AS accurate
FROM dm_train('fault_rf', 'sensors', 'fault', 'random_forest', '{"n_estimators": 20, "min_samples_leaf": 5}', '{"exclude": ["id"]}');
SELECT version FROM dm_train('fault_median', 'sensors', 'fault', 'random_forest', '{"n_estimators": 20, "min_samples_leaf": 5}',
                             '{"exclude": ["id"], "preprocess": {"reading": {"impute": "median"}}}');
-- The stored preprocessing says which: "missing", or the imputed value.
SELECT name, preprocessing -> 'features' -> 0 -> 'transform' -> 'number' ->> 'fill' AS reading_fill
FROM dm.models WHERE name IN ('fault_rf', 'fault_median') ORDER BY name;
SELECT dm_predict_label('fault_gb', '{"reading": null, "noise": 3}'::jsonb) AS gb_null,
       dm_predict_label('fault_rf', ROW(NULL::int, 3)) AS rf_null,
       dm_predict_label('fault_rf', ROW(10, 3)) AS rf_low, dm_predict_label('fault_rf', ROW(90, 3)) AS rf_high,
       dm_predict_label('fault_median', ROW(NULL::int, 3)) AS median_null;
SELECT err($$SELECT * FROM dm_train('x', 'sensors', 'fault', 'logistic_regression', options => '{"exclude": ["id"], "preprocess": {"reading": {"impute": "missing"}}}')$$);
