-- Every bad input is an ERROR with a SQLSTATE and a message naming the model, column or value,
-- and the session goes on working.
SET client_min_messages = warning;

SELECT version FROM dm_train('good', 'customers', 'churned', 'decision_tree', options => '{"exclude": ["id"]}');
SELECT version FROM dm_train('text_labels', 'SELECT age, plan FROM customers', 'plan', 'decision_tree', options => '{"deploy": "always"}');

-- Unknown model or version.
SELECT err($$SELECT dm_predict('missing', ARRAY[1.0])$$);
SELECT err($$SELECT dm_predict('good@99', c) FROM customers c LIMIT 1$$);
SELECT err($$SELECT dm_predict('good@zero', c) FROM customers c LIMIT 1$$);
SELECT err($$SELECT dm_deploy('good', 42)$$);
SELECT err($$SELECT dm_deploy('missing', 1)$$);
SELECT err($$SELECT dm_rollback('good')$$);
SELECT err($$SELECT dm_rollback('missing')$$);
SELECT err($$SELECT dm_drop_model('good', 1)$$);
SELECT err($$SELECT dm_drop_model('missing')$$);
SELECT version FROM dm_train('undeployed', 'houses', 'price', 'ridge', options => '{"deploy": "never"}');
SELECT err($$SELECT dm_predict('undeployed', h) FROM houses h LIMIT 1$$);

-- Unknown relation or column.
SELECT err($$SELECT * FROM dm_train('m', 'no_such_table', 'y')$$);
SELECT err($$SELECT * FROM dm_train('m', 'public.no_such_table', 'y')$$);
SELECT err($$SELECT * FROM dm_train('m', 'customers', 'no_such_column')$$);
SELECT err($$SELECT * FROM dm_train('m', 'customers', 'churned', options => '{"features": ["age", "nope"]}')$$);
SELECT err($$SELECT * FROM dm_train('m', 'customers', 'churned', options => '{"exclude": ["nope"]}')$$);
SELECT err($$SELECT * FROM dm_train('m', 'customers', 'churned', options => '{"preprocess": {"nope": {"impute": "zero"}}}')$$);
SELECT err($$SELECT * FROM dm_train('m', 'SELECT age, churned, now() - now() AS gap FROM customers', 'churned', options => '{"features": ["gap"]}')$$);
-- A column selected twice: the target again (it would train on its own label), or two features
-- of one name (no input could tell them apart).
SELECT err($$SELECT * FROM dm_train('m', 'SELECT age, churned, churned FROM customers', 'churned')$$);
SELECT err($$SELECT * FROM dm_train('m', 'SELECT age, age, churned FROM customers', 'churned')$$);

-- Target missing, all NULL; empty relation; a single class.
SELECT err($$SELECT * FROM dm_train('m', 'customers')$$);
SELECT err($$SELECT * FROM dm_train('m', 'SELECT age, NULL::text AS y FROM customers', 'y')$$);
SELECT err($$SELECT * FROM dm_train('m', 'SELECT age, churned FROM customers WHERE false', 'churned')$$);
SELECT err($$SELECT * FROM dm_train('m', 'SELECT age, true AS y FROM customers', 'y')$$);
SELECT err($$SELECT * FROM dm_train('m', 'SELECT age, plan FROM customers', 'plan', 'ridge')$$);
SELECT err($$SELECT * FROM dm_train('m', 'SELECT age, plan FROM customers', 'plan', options => '{"task": "regression"}')$$);

-- Unknown algorithm; malformed or unknown hyperparams and options (the key is named).
SELECT err($$SELECT * FROM dm_train('m', 'customers', 'churned', 'deep_magic')$$);
SELECT err($$SELECT * FROM dm_train('m', 'customers', 'churned', 'random_forest', '{"trees": 10}')$$);
SELECT err($$SELECT * FROM dm_train('m', 'customers', 'churned', 'random_forest', '{"n_estimators": "many"}')$$);
SELECT err($$SELECT * FROM dm_train('m', 'customers', 'churned', 'logistic_regression', '{"C": -1}')$$);
-- A number jsonb keeps but float8 cannot: an ERROR naming the key, not an internal error.
SELECT err($$SELECT * FROM dm_train('m', 'customers', 'churned', 'decision_tree', '{"max_depth": 1e309}')$$);
SELECT err($$SELECT * FROM dm_train('m', 'customers', 'churned', options => '{"seed": -1e400}')$$);
SELECT err($$SELECT dm_predict('good', '{"age": 1e400}'::jsonb)$$);
SELECT err($$SELECT * FROM dm_train('m', 'customers', 'churned', 'decision_tree', '{"max_depth": 0}')$$);
SELECT err($$SELECT * FROM dm_train('m', 'customers', 'churned', 'decision_tree', '[1, 2]')$$);
SELECT err($$SELECT * FROM dm_train('m', 'customers', 'churned', options => '{"spilt": {}}')$$);
SELECT err($$SELECT * FROM dm_train('m', 'customers', 'churned', options => '{"split": {"test_size": 1.5}}')$$);
SELECT err($$SELECT * FROM dm_train('m', 'customers', 'churned', options => '{"split": {"method": "time"}}')$$);
SELECT err($$SELECT * FROM dm_train('m', 'customers', 'churned', options => '{"split": {"method": "shuffle"}}')$$);
SELECT err($$SELECT * FROM dm_train('m', 'customers', 'churned', options => '{"preprocess": {"age": {"impute": "avg"}}}')$$);
SELECT err($$SELECT * FROM dm_train('m', 'customers', 'churned', options => '{"preprocess": {"age": {"impute": "missing"}}}')$$);
SELECT err($$SELECT * FROM dm_train('m', 'customers', 'churned', options => '{"cv": "five"}')$$);
SELECT err($$SELECT * FROM dm_train('m', 'customers', 'churned', options => '"fast"')$$);

-- NaN and Infinity in features.
SELECT err($$SELECT * FROM dm_train('m', 'SELECT x, y FROM (VALUES (1.0::float8, 1), (''NaN'', 2), (3, 1)) v(x, y)', 'y')$$);
SELECT err($$SELECT * FROM dm_train('m', 'SELECT x, y FROM (VALUES (1.0::numeric, 1), (''Infinity'', 2), (3, 1)) v(x, y)', 'y')$$);
SELECT err($$SELECT dm_predict('good', '{"age": "NaN", "plan": "pro", "tenure": 1, "monthly_spend": 1, "support_calls": 1, "signup_date": 1}'::jsonb)$$);
SELECT err($$SELECT dm_predict('good', ROW(30, 'pro'::text, 'Infinity'::float8, 1, 1, 1))$$);

-- Wrong arity or type at scoring.
SELECT err($$SELECT dm_predict('good', ARRAY[1.0, 2.0])$$);
SELECT err($$SELECT dm_predict('good', ROW(1, 2))$$);
SELECT err($$SELECT dm_predict('good', 42)$$);
SELECT err($$SELECT dm_predict('good', '{"age": 30}'::jsonb)$$);
SELECT err($$SELECT dm_predict('good', '[1, 2]'::jsonb)$$);
SELECT err($$SELECT dm_predict('good', '{"age": "old", "plan": "pro", "tenure": 1, "monthly_spend": 1, "support_calls": 1, "signup_date": 1}'::jsonb)$$);
SELECT err($$SELECT dm_predict('good', (SELECT h FROM houses h LIMIT 1))$$);
SELECT err($$SELECT dm_predict('good', ARRAY[30, 1, 1, 1, 1, 1]::float8[])$$);
SELECT err($$SELECT dm_predict_proba('price', h) FROM houses h LIMIT 1$$);
SELECT err($$SELECT dm_model_classes('price')$$);

-- A text-label model asked for dm_predict.
SELECT err($$SELECT dm_predict('text_labels', c) FROM customers c LIMIT 1$$);
SELECT dm_predict_label('text_labels', c) AS text_label_works FROM customers c WHERE id = 1;

-- Corrupt model bytes.
SELECT version FROM dm_train('corrupt', 'houses', 'price', 'ridge');
UPDATE dm.models SET model_bytes = substring(model_bytes FROM 1 FOR 40) WHERE name = 'corrupt';
SELECT err($$SELECT dm_predict('corrupt', h) FROM houses h LIMIT 1$$);
UPDATE dm.models SET model_bytes = '\x0102'::bytea WHERE name = 'corrupt';
SELECT err($$SELECT dm_predict('corrupt@1', h) FROM houses h LIMIT 1$$);

-- Names with quotes or semicolons; relations that try to inject.
SELECT err($$SELECT * FROM dm_train('bad"name', 'customers', 'churned')$$);
SELECT err($$SELECT * FROM dm_train('x; DROP TABLE customers', 'customers', 'churned')$$);
SELECT err($$SELECT dm_predict('good''; DROP TABLE customers; --', ARRAY[1.0])$$);
SELECT err($$SELECT * FROM dm_train('m', 'customers; DROP TABLE customers', 'churned')$$);
SELECT err($$SELECT * FROM dm_train('m', 'SELECT 1 AS y; DROP TABLE customers', 'y')$$);
SELECT err($$SELECT * FROM dm_train('m', 'customers', 'churned"; DROP TABLE customers; --')$$);
SELECT err($$SELECT * FROM dm_train(NULL, 'customers', 'churned')$$);
SELECT err($$SELECT * FROM dm_train('m', NULL, 'churned')$$);
SELECT count(*) AS customers_intact FROM customers;

-- The session still works after all of that, without a reconnect.
SELECT dm_predict('good', c) = churned::int AS still_scoring FROM customers c WHERE id = 12;
SELECT err($$SELECT * FROM dm_coefficients('good')$$);

-- Over the memory budget (pg_mining.max_memory, superuser-set): an ERROR 53200 naming the step,
-- before the allocation (these took the server down); the session goes on.
SET pg_mining.max_memory = '8MB';
SELECT err($$SELECT * FROM dm_train('m', 'SELECT i::text AS code, i % 2 = 0 AS y FROM generate_series(1, 20000) i', 'y', 'logistic_regression', options => '{"max_categories": 10000}')$$);
SELECT err($$SELECT * FROM dm_train('m', 'customers', 'churned', 'mlp', '{"hidden_layer_sizes": [10000, 10000, 10000, 10000]}', '{"exclude": ["id"]}')$$);
SELECT err($$SELECT * FROM dm_train('m', 'SELECT (i % 100)::float8 AS a, (i % 7)::float8 AS b FROM generate_series(1, 20000) i', NULL, 'dbscan', '{"eps": 1000}')$$);
-- Forests and boosting count their trees as they grow them.
SELECT err($$SELECT * FROM dm_train('m', 'SELECT sin(i * 0.7) AS a, sin(i * 1.3) AS b, sin(i * 2.9) AS c, sin(i * 5.1) AS d, cos(i * 0.37) AS y FROM generate_series(1, 50000) i', 'y', 'random_forest', '{"n_estimators": 500}')$$);
-- Aggregates that hold their rows check them as they grow.
SET pg_mining.max_memory = '1MB';
SELECT err($$SELECT dm_clustering_metrics(ARRAY[g::float8, g * 2], (g % 3)::bigint) FROM generate_series(1, 200000) g$$);
SELECT err($$SELECT dm_classification_metrics(g % 2 = 0, g % 3 = 0, (g % 10) / 10.0) FROM generate_series(1, 200000) g$$);
RESET pg_mining.max_memory;
SELECT version > 0 AS still_trains FROM dm_train('after_budget', 'customers', 'churned', 'decision_tree', options => '{"exclude": ["id"]}');

