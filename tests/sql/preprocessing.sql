-- Cleaning and preparation: NULLs, unseen categories, duplicates, features/exclude, time split.
SET client_min_messages = warning;

CREATE TABLE messy (k int, num float8, cat text, label text);
INSERT INTO messy
SELECT i, CASE WHEN i % 10 = 0 THEN NULL ELSE i % 40 END,
       CASE WHEN i % 7 = 0 THEN NULL ELSE (ARRAY['a', 'b', 'c'])[1 + i % 3] END,
       CASE WHEN i % 40 >= 20 THEN 'big' ELSE 'small' END
FROM generate_series(1, 400) i;
-- 50 exact duplicates.
INSERT INTO messy SELECT * FROM messy WHERE k <= 50;

SELECT version, deployed FROM dm_train('messy', 'messy', 'label', 'decision_tree',
                                       options => '{"exclude": ["k"], "preprocess": {"num": {"impute": "median"}}}');
SELECT row_counts FROM dm.models WHERE name = 'messy';
-- The stored preprocessing: median of the training rows, categories with a NULL column.
SELECT (preprocessing -> 'features' -> 0 -> 'transform' -> 'number' ->> 'fill')::float8 AS num_fill,
       preprocessing -> 'features' -> 1 -> 'transform' -> 'category' -> 'levels' AS cat_levels,
       preprocessing -> 'features' -> 1 -> 'transform' -> 'category' -> 'null_column' AS cat_null_column
FROM dm.models WHERE name = 'messy';
-- NULL features and unseen categories are scored with the stored policy.
SELECT dm_predict_label('messy', '{"num": null, "cat": null}'::jsonb) IS NOT NULL AS nulls_scored,
       dm_predict_label('messy', '{"num": 35, "cat": "never-seen"}'::jsonb) AS unseen_category,
       dm_predict_label('messy', '{"num": 3, "cat": "a"}'::jsonb) AS small_one;

-- dedup can be turned off: the copies then stay on one side of the split (no test row copies a
-- training row), and the label, a function of num, shows as a leakage suspect.
SELECT version FROM dm_train('messy', 'messy', 'label', 'decision_tree', options => '{"exclude": ["k"], "dedup": false, "deploy": "never"}');
SELECT version, row_counts ->> 'duplicates' AS duplicates, row_counts ->> 'used' AS used FROM dm.models WHERE name = 'messy' ORDER BY version;

-- Unknown categories can be refused instead.
SELECT version FROM dm_train('strict', 'messy', 'label', 'logistic_regression',
                             options => '{"features": ["num", "cat"], "unknown_categories": "error"}');
SELECT dm_predict_label('strict', '{"num": 3, "cat": "zzz"}'::jsonb);
SELECT dm_predict_label('strict', '{"num": 3, "cat": "a"}'::jsonb) AS known_category_works;

-- impute "error" refuses NULLs at training.
SELECT version FROM dm_train('strict2', 'messy', 'label', options => '{"features": ["num"], "preprocess": {"num": {"impute": "error"}}}');

-- Ordinal encoding and min-max scaling are recorded.
SELECT version FROM dm_train('ordinal', 'messy', 'label', 'logistic_regression',
                             options => '{"features": ["num", "cat"], "preprocess": {"cat": {"encode": "ordinal"}, "num": {"scale": "minmax"}}}');
SELECT preprocessing -> 'features' -> 1 -> 'transform' -> 'category' ->> 'encode' AS encode,
       (preprocessing -> 'features' -> 0 -> 'transform' -> 'number' ->> 'scale')::float8 AS num_range
FROM dm.models WHERE name = 'ordinal';

-- A time split tests on the latest rows; the time column is not a feature.
CREATE TABLE sales AS
SELECT timestamp '2025-01-01' + i * interval '1 hour' AS ts, (i % 24)::float8 AS hour, (i % 24) * 2.0 + 1 AS amount
FROM generate_series(1, 500) i;
SELECT version FROM dm_train('sales', 'sales', 'amount', 'linear_regression',
                             options => '{"split": {"method": "time", "order_by": "ts", "test_size": 0.1}}');
SELECT features, split ->> 'method' AS method, split ->> 'test' AS test_rows FROM dm.models WHERE name = 'sales';

-- Random split with a validation part, and a fixed seed: same data, same split, same model.
SELECT round((metrics -> 'test' ->> 'r2')::numeric, 6) AS r2, (metrics ? 'validation') AS has_validation
FROM dm_train('seeded', 'houses', 'price', 'random_forest', '{"n_estimators": 10}',
              '{"exclude": ["id"], "seed": 7, "split": {"method": "random", "test_size": 0.25, "validation_size": 0.1}}');
SELECT round((metrics -> 'test' ->> 'r2')::numeric, 6) AS r2_again
FROM dm_train('seeded', 'houses', 'price', 'random_forest', '{"n_estimators": 10}',
              '{"exclude": ["id"], "seed": 7, "split": {"method": "random", "test_size": 0.25, "validation_size": 0.1}}');
SELECT count(DISTINCT data_fingerprint) AS fingerprints, count(*) AS versions FROM dm.models WHERE name = 'seeded';
SELECT split FROM dm.models WHERE name = 'seeded' AND version = 1;

-- Warnings: identifier-like column, class imbalance.
CREATE TABLE rare AS SELECT i AS code, (i % 50)::float8 AS x, i % 50 = 0 AS rare FROM generate_series(1, 1000) i;
SELECT version FROM dm_train('rare', 'rare', 'rare', 'decision_tree');
SELECT unnest(warnings) AS warning FROM dm.models WHERE name = 'rare';

-- Sample weights from a column (options.weight_column). 40% of the rows weigh 1 and follow
-- "high above 18"; the other 60% weigh 0 and say the opposite, so an unweighted model learns
-- the opposite. Every 50th row's weight is NULL: dropped and counted. The test rows are measured
-- unweighted (rows count, as in scikit-learn's scorers), and 60% of them say the opposite, so the
-- weighted models warn that they are no better than the baseline there.
CREATE TABLE weighted AS
SELECT (i % 37)::float8 AS x,
       CASE WHEN ((i % 37) > 18) = (i % 5 < 2) THEN 'high' ELSE 'low' END AS y,
       CASE WHEN i % 5 < 2 THEN 3.0 * (i % 37) + 1 ELSE -3.0 * (i % 37) END AS v,
       CASE WHEN i % 50 = 7 THEN NULL WHEN i % 5 < 2 THEN 1 ELSE 0 END::numeric AS w,
       CASE WHEN i % 2 = 0 THEN 'a' ELSE 'b' END AS t
FROM generate_series(0, 499) i;
SELECT name, dm_train(name, 'weighted', 'y', algo,
                      options => jsonb_build_object('features', '["x"]'::jsonb, 'dedup', false, 'deploy', 'always')
                                 || CASE WHEN name LIKE '%_w' THEN '{"weight_column": "w"}' ELSE '{}' END::jsonb) IS NOT NULL AS trained
FROM (VALUES ('wt_forest', 'random_forest'), ('wt_forest_w', 'random_forest'),
             ('wt_boost_w', 'gradient_boosting'), ('wt_logistic_w', 'logistic_regression'),
             ('wt_bayes_w', 'naive_bayes')) m(name, algo);
SELECT name, dm_predict_label(name, '{"x": 34}'::jsonb) AS at_34, dm_predict_label(name, '{"x": 2}'::jsonb) AS at_2
FROM unnest(ARRAY['wt_forest', 'wt_forest_w', 'wt_boost_w', 'wt_logistic_w', 'wt_bayes_w']) name ORDER BY name;
SELECT name, row_counts ->> 'used' AS used, row_counts ->> 'null_weight' AS null_weight,
       row_counts ->> 'weight_column' AS weight_column, (row_counts ->> 'train_weight')::float8 BETWEEN 120 AND 200 AS train_weight_near_40pct,
       features
FROM dm.models WHERE name IN ('wt_forest', 'wt_forest_w') ORDER BY name;
-- Regression: ridge follows the weighted rows' v = 3x + 1.
SELECT version FROM dm_train('wt_ridge', 'weighted', 'v', 'ridge', '{"alpha": 0.001}', '{"features": ["x"], "dedup": false, "weight_column": "w", "deploy": "always"}');
SELECT round(dm_predict('wt_ridge', '{"x": 30}'::jsonb)::numeric, 1) AS weighted_ridge_at_30;
-- The weight column is no feature: scoring does not ask for it.
SELECT dm_predict_label('wt_forest_w', w) AS scored_without_w FROM (SELECT x, t FROM weighted LIMIT 1) w;

-- Bad uses, each an ERROR naming the column or learner.
SELECT err($$SELECT dm_train('wt_bad', 'weighted', 'y', 'knn', options => '{"features": ["x"], "weight_column": "w"}')$$);
SELECT err($$SELECT dm_train('wt_bad', 'weighted', 'y', 'decision_tree', options => '{"weight_column": "t"}')$$);
SELECT err($$SELECT dm_train('wt_bad', 'weighted', 'y', 'decision_tree', options => '{"weight_column": "nope"}')$$);
SELECT err($$SELECT dm_train('wt_bad', 'weighted', 'v', 'ridge', options => '{"weight_column": "v"}')$$);
SELECT err($$SELECT dm_train('wt_bad', 'weighted', 'y', 'ridge', options => '{"features": ["x", "w"], "weight_column": "w"}')$$);
SELECT err($$SELECT dm_train('wt_bad', 'weighted', 'y', 'decision_tree', options => '{"weight_column": ["w"]}')$$);
SELECT err($$SELECT dm_train('wt_bad', 'SELECT x, y, w - 1 AS w FROM weighted', 'y', 'decision_tree', options => '{"weight_column": "w"}')$$);
SELECT err($$SELECT dm_train('wt_bad', 'SELECT x, y, 0 AS w FROM weighted', 'y', 'decision_tree', options => '{"weight_column": "w"}')$$);
SELECT err($$SELECT dm_train('wt_bad', 'SELECT x, w FROM weighted', NULL, 'kmeans', options => '{"features": ["x"], "weight_column": "w"}')$$);

-- Another role trains with weights from the columns it may read; a weight column it may not
-- read is Postgres' own permission error, not a way around it.
CREATE ROLE dm_weight_analyst;
GRANT SELECT (x, y, w) ON weighted TO dm_weight_analyst;
SET ROLE dm_weight_analyst;
SELECT version FROM dm_train('wt_analyst', 'SELECT x, y, w FROM weighted', 'y', 'decision_tree', '{"max_depth": 3}',
                             '{"dedup": false, "weight_column": "w", "deploy": "always"}');
SELECT dm_predict_label('wt_analyst', '{"x": 34}'::jsonb) AS analyst_at_34;
SELECT err($$SELECT dm_train('wt_analyst_v', 'SELECT x, v, w, t FROM weighted', 'v', 'ridge', options => '{"weight_column": "w"}')$$);
RESET ROLE;
SELECT n, dm_drop_model(n) FROM unnest(ARRAY['wt_forest', 'wt_forest_w', 'wt_boost_w', 'wt_logistic_w', 'wt_bayes_w', 'wt_ridge', 'wt_analyst']) n;
DROP TABLE weighted;
DROP ROLE dm_weight_analyst;
