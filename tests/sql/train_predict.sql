-- Training and scoring for classification and regression, every algorithm and input form.
SET client_min_messages = warning;

-- Classification with a boolean label; the id column is excluded.
SELECT model, version, task, algorithm, deployed,
       round((metrics -> 'test' ->> 'accuracy')::numeric, 3) > 0.9 AS accurate
FROM dm_train('churn', 'customers', 'churned', 'random_forest',
              '{"n_estimators": 30}', '{"exclude": ["id"]}');
SELECT model, version, algorithm, deployed FROM dm_train('churn', 'customers', 'churned', 'decision_tree',
              options => '{"exclude": ["id"], "deploy": "never"}');
SELECT model, version, algorithm FROM dm_train('churn', 'customers', 'churned', 'logistic_regression',
              '{"C": 0.5}', '{"exclude": ["id"], "deploy": "never"}');

-- What was stored.
SELECT name, version, task, algorithm, target, target_type, classes,
       jsonb_array_length(features) AS n_features, row_counts, split ->> 'method' AS split,
       (split ->> 'train')::int + (split ->> 'test')::int AS split_rows, format_version
FROM dm.models WHERE name = 'churn' ORDER BY version;
SELECT name, version, deployed, task, algorithm, metric, test_score > 0.8 AS good FROM dm.summary WHERE name = 'churn';
SELECT dm_model_classes('churn');

-- Scoring: a table row (by column name), jsonb (by key), an anonymous ROW and a text array (by position).
SELECT id, churned, dm_predict('churn', c) AS value, dm_predict_label('churn', c) AS label
FROM customers c WHERE id IN (3, 4, 12, 99) ORDER BY id;
SELECT dm_predict_label('churn', to_jsonb(c)) = dm_predict_label('churn', c) AS jsonb_agrees,
       dm_predict_label('churn', ROW(c.age, c.plan, c.tenure, c.monthly_spend, c.support_calls, c.signup_date))
         = dm_predict_label('churn', c) AS row_agrees
FROM customers c WHERE id = 12;
SELECT dm_predict_label('churn', ARRAY['40', 'pro', '5', '10.5', '7', '19800']) AS text_array;
SELECT array_length(dm_predict_proba('churn', c), 1) AS n, round((SELECT sum(p) FROM unnest(dm_predict_proba('churn', c)) p)::numeric, 9) AS total
FROM customers c WHERE id = 12;

-- Accuracy of the deployed model over the whole table, in plain SQL.
SELECT round(avg((dm_predict('churn', c) = churned::int)::int), 2) >= 0.95 AS whole_table_accuracy
FROM customers c;

-- Every version is addressable; predictions of a specific version.
SELECT v, count(*) FILTER (WHERE dm_predict_label('churn@' || v, c) = churned::text) > 1500 AS mostly_right
FROM customers c, generate_series(1, 3) v GROUP BY v ORDER BY v;

-- Regression: linear, ridge, tree and forest on the same table.
SELECT model, version, algorithm, round((metrics -> 'test' ->> 'r2')::numeric, 4) AS test_r2
FROM dm_train('price', 'houses', 'price', 'linear_regression', options => '{"exclude": ["id"]}');
SELECT model, version, algorithm, deployed, (metrics -> 'test' ->> 'r2')::float8 > 0.9 AS r2_ok
FROM dm_train('price', 'houses', 'price', 'ridge', '{"alpha": 10}', '{"exclude": ["id"], "deploy": "never"}');
SELECT model, version, algorithm, (metrics -> 'test' ->> 'r2')::float8 > 0.9 AS r2_ok
FROM dm_train('price', 'SELECT a, b, region, price FROM houses', 'price', 'random_forest', '{"n_estimators": 20}', '{"deploy": "never"}');
SELECT round(dm_predict('price', h)::numeric, 2) AS predicted, round(price::numeric, 2) AS actual
FROM houses h WHERE id IN (1, 2, 500) ORDER BY id;
SELECT round(dm_predict('price', '{"a": 10, "b": 3, "region": "north"}'::jsonb)::numeric, 1) AS north,
       round(dm_predict('price', '{"a": 10, "b": 3, "region": "south"}'::jsonb)::numeric, 1) AS south,
       dm_predict_label('price@1', '{"a": 10, "b": 3, "region": "south"}'::jsonb) ~ '^[0-9.]+$' AS label_is_number;

-- auto (the default) compares learners by cross-validation and trains the winner; an integer
-- target with few values is classification.
SELECT model, task, algorithm FROM dm_train('calls', 'SELECT age, plan, support_calls FROM customers', 'support_calls', options => '{"deploy": "always"}');
-- The winner is the first (cheapest) candidate within one standard error of the best mean.
SELECT metrics -> 'auto' ->> 'winner' AS winner, metrics -> 'auto' ->> 'best_mean' AS best_mean,
       metrics -> 'auto' ->> 'metric' AS metric, metrics -> 'auto' ->> 'folds' AS folds,
       metrics -> 'auto' ->> 'repeats' AS repeats,
       jsonb_array_length(metrics -> 'auto' -> 'candidates') AS tried,
       (SELECT min(i) FROM jsonb_array_elements(metrics -> 'auto' -> 'candidates') WITH ORDINALITY c(c, i),
               LATERAL (SELECT (b ->> 'cv_mean')::float8 AS mean, (b ->> 'cv_std')::float8 AS std
                        FROM jsonb_array_elements(metrics -> 'auto' -> 'candidates') b
                        WHERE b ->> 'algorithm' = metrics -> 'auto' ->> 'best_mean'
                          AND b -> 'hyperparams' = metrics -> 'auto' -> 'best_hyperparams') best
        WHERE (c ->> 'cv_mean')::float8 >= best.mean - best.std / sqrt((metrics -> 'auto' ->> 'folds')::int * (metrics -> 'auto' ->> 'repeats')::int))
         = (SELECT i FROM jsonb_array_elements(metrics -> 'auto' -> 'candidates') WITH ORDINALITY c(c, i)
            WHERE c ->> 'algorithm' = metrics -> 'auto' ->> 'winner'
              AND c -> 'hyperparams' = metrics -> 'auto' -> 'hyperparams') AS winner_is_the_rules
FROM dm.models WHERE name = 'calls';
-- A tiny time budget: the first candidate is tried, the rest are recorded as skipped.
SELECT jsonb_array_length(metrics -> 'auto' -> 'candidates') AS tried,
       jsonb_array_length(metrics -> 'auto' -> 'skipped') AS skipped
FROM dm_train('calls_fast', 'SELECT age, plan, support_calls FROM customers', 'support_calls',
              options => '{"time_budget_s": 0.000001}');
SELECT err($$SELECT * FROM dm_train('x', 'customers', 'churned', 'auto', '{"max_depth": 3}')$$);
SELECT err($$SELECT * FROM dm_train('x', 'customers', 'churned', options => '{"time_budget_s": 0}')$$);
SELECT dm_predict('calls', ROW(30, 'pro'::text)) BETWEEN 0 AND 8 AS integer_class,
       dm_predict_label('calls', ROW(30, 'pro'::text)) ~ '^[0-8]$' AS label_text;

-- dm_coefficients: the model written out by hand reproduces dm_predict.
SELECT version FROM dm_train('lin2', 'SELECT a, b, price FROM houses', 'price', 'linear_regression');
SELECT feature, round(coefficient::numeric, 3) AS coefficient FROM dm_coefficients('lin2');
WITH prep AS (
  SELECT f ->> 'name' AS feature, (f -> 'transform' -> 'number' ->> 'center')::float8 AS center,
         (f -> 'transform' -> 'number' ->> 'scale')::float8 AS scale
  FROM dm.models, jsonb_array_elements(preprocessing -> 'features') f WHERE name = 'lin2')
SELECT h.id, abs(dm_predict('lin2', h) - (
         (SELECT coefficient FROM dm_coefficients('lin2') WHERE feature = '(intercept)')
       + (SELECT sum(c.coefficient * ((CASE c.feature WHEN 'a' THEN h.a ELSE h.b END) - p.center) / p.scale)
          FROM dm_coefficients('lin2') c JOIN prep p USING (feature)))) < 1e-9 AS hand_written_matches
FROM houses h WHERE id IN (5, 6) ORDER BY id;
SELECT class, count(*) AS n FROM dm_coefficients('churn@3') GROUP BY class;

-- Scoring functions are PARALLEL SAFE: the same answers under a forced parallel plan.
SELECT sum(dm_predict('churn', c)) AS serial_sum FROM customers c;
SELECT count(DISTINCT dm_predict_label('price', h)) AS distinct_prices, count(DISTINCT dm_predict_label('churn@2', c)) AS labels
FROM customers c JOIN houses h ON h.id = c.id;
-- PostgreSQL 16 renamed force_parallel_mode to debug_parallel_query: the name this server knows.
SELECT CASE WHEN current_setting('server_version_num')::int >= 160000 THEN 'debug_parallel_query'
            ELSE 'force_parallel_mode' END AS force_parallel \gset
SET :force_parallel = on;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
EXPLAIN (COSTS OFF) SELECT sum(dm_predict('churn', c)) AS parallel_sum FROM customers c;
SELECT sum(dm_predict('churn', c)) AS parallel_sum FROM customers c;
SELECT count(DISTINCT dm_predict_label('price', h)) AS distinct_prices, count(DISTINCT dm_predict_label('churn@2', c)) AS labels
FROM customers c JOIN houses h ON h.id = c.id;
RESET :force_parallel;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

-- Lasso and elastic net: sparse coefficients on standard-scaled columns (dm_coefficients).
SELECT model, algorithm, (metrics -> 'test' ->> 'r2')::float8 > 0.99 AS r2_ok
FROM dm_train('price_lasso', 'houses', 'price', 'lasso', '{"alpha": 0.5}', '{"exclude": ["id"]}');
SELECT feature, coefficient <> 0 AS kept FROM dm_coefficients('price_lasso') ORDER BY feature;
SELECT count(*) FILTER (WHERE coefficient = 0) AS zeroed
FROM dm_coefficients((SELECT model FROM dm_train('noise_lasso',
  'SELECT a, b, region, price, (id * 7919 % 101)::float8 AS junk1, (id * 104729 % 97)::float8 AS junk2 FROM houses',
  'price', 'lasso', '{"alpha": 1.0}')));
SELECT model, algorithm, (metrics -> 'test' ->> 'r2')::float8 > 0.99 AS r2_ok
FROM dm_train('price_en', 'houses', 'price', 'elastic_net', '{"alpha": 0.01, "l1_ratio": 0.3}', '{"exclude": ["id"]}');
SELECT err($$SELECT * FROM dm_train('x', 'houses', 'price', 'elastic_net', '{"l1_ratio": 1.5}')$$);
SELECT err($$SELECT * FROM dm_train('x', 'houses', 'price', 'lasso', '{"alpha": 0}')$$);
SELECT err($$SELECT * FROM dm_train('x', 'houses', 'price', 'lasso', '{"l1_ratio": 0.5}')$$);
SELECT err($$SELECT * FROM dm_train('x', 'customers', 'churned', 'lasso')$$);

-- k-nearest neighbours: standard-scaled columns, uniform or distance weights.
SELECT model, algorithm, (metrics -> 'test' ->> 'accuracy')::float8 > 0.8 AS accurate
FROM dm_train('churn_knn', 'customers', 'churned', 'knn', '{"n_neighbors": 7}', '{"exclude": ["id", "signup_date"]}');
SELECT dm_predict_proba('churn_knn', c) FROM customers c WHERE id = 3;
SELECT model, (metrics -> 'test' ->> 'r2')::float8 > 0.95 AS r2_ok
FROM dm_train('price_knn', 'houses', 'price', 'knn', '{"weights": "distance"}', '{"exclude": ["id"]}');
SELECT err($$SELECT * FROM dm_train('x', 'SELECT a, b, price FROM houses LIMIT 10', 'price', 'knn', '{"n_neighbors": 50}')$$);
SELECT err($$SELECT * FROM dm_train('x', 'houses', 'price', 'knn', '{"weights": "gaussian"}')$$);
SELECT err($$SELECT * FROM dm_train('x', 'houses', 'price', 'knn', '{"n_neighbors": 0}')$$);

-- Naive Bayes on mixed columns: Gaussian for numbers, categorical for text (plan), one model.
SELECT model, algorithm, (metrics -> 'test' ->> 'accuracy')::float8 > 0.7 AS better_than_chance,
       (metrics -> 'test' ->> 'accuracy')::float8 >= (metrics -> 'test' ->> 'baseline_accuracy')::float8 AS beats_majority
FROM dm_train('churn_nb', 'customers', 'churned', 'naive_bayes', options => '{"exclude": ["id", "signup_date"]}');
SELECT abs((SELECT sum(p) FROM unnest(dm_predict_proba('churn_nb', c)) p) - 1) < 1e-9 AS sums_to_one
FROM customers c WHERE id = 11;
-- An unseen plan leaves that feature out instead of failing.
SELECT dm_predict_label('churn_nb', '{"age": 30, "plan": "enterprise", "tenure": 5, "monthly_spend": 20, "support_calls": 7}'::jsonb) IS NOT NULL AS scored;
SELECT err($$SELECT * FROM dm_train('x', 'houses', 'price', 'naive_bayes')$$);
SELECT err($$SELECT * FROM dm_train('x', 'customers', 'churned', 'naive_bayes', '{"alpha": 0}')$$);

-- Neural network (mlp): standard-scaled inputs, Adam; early stopping with a validation split.
SELECT model, algorithm, (metrics -> 'test' ->> 'accuracy')::float8 > 0.9 AS accurate,
       (metrics -> 'fit' ->> 'epochs')::int BETWEEN 1 AND 300 AS epochs_recorded
FROM dm_train('churn_mlp', 'customers', 'churned', 'mlp',
              '{"hidden_layer_sizes": [32, 16], "learning_rate_init": 0.01, "max_iter": 300}',
              '{"exclude": ["id", "signup_date"], "split": {"test_size": 0.2, "validation_size": 0.1}}');
SELECT model, (metrics -> 'test' ->> 'r2')::float8 > 0.9 AS r2_ok
FROM dm_train('price_mlp', 'houses', 'price', 'mlp', '{"activation": "tanh", "learning_rate_init": 0.01, "max_iter": 500}', '{"exclude": ["id"]}');
SELECT err($$SELECT * FROM dm_train('x', 'houses', 'price', 'mlp', '{"hidden_layer_sizes": [0]}')$$);
SELECT err($$SELECT * FROM dm_train('x', 'houses', 'price', 'mlp', '{"activation": "sigmoid"}')$$);
SELECT err($$SELECT * FROM dm_train('x', 'houses', 'price', 'mlp', '{"learning_rate_init": 0}')$$);
