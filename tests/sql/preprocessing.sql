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
