-- True holdouts (issue 18, items 6, 7 and 8): a group split keeps each customer on one side of
-- the split and of every fold; with dedup off the copies of a row stay on one side; every
-- version keeps the keys of its rows, so dm_evaluate(..., rows => 'test') measures the
-- model's own test rows of any relation again, and evaluating on rows it learned from warns.
SET client_min_messages = warning;

-- 300 customers with 2 to 6 visits. customer_code is each customer's own (a model can learn
-- who a customer is from it); the label is the customer's, unrelated to spend.
CREATE TABLE visits AS
SELECT c AS customer_id, v AS visit,
       (c * 7919 % 1000)::float8 AS customer_code,
       ((c * 31 + v * 17) % 23)::float8 AS spend,
       (c::bigint * 2654435761 % 1000) < 300 AS churned
FROM generate_series(1, 300) c, generate_series(1, 2 + c % 5) v;
SELECT count(*) AS rows, count(DISTINCT customer_id) AS customers, count(*) FILTER (WHERE churned) AS positives FROM visits;

-- A random split puts most customers on both sides: the test rows look easy.
SELECT version, round((metrics -> 'test' ->> 'balanced_accuracy')::numeric, 2) AS balanced_accuracy
FROM dm_train('visits_random', 'visits', 'churned', 'decision_tree', NULL,
              '{"exclude": ["customer_id", "visit"], "split": {"method": "stratified"}}');
-- A group split tests on customers the model never saw: the truth (about a coin toss).
SELECT version, round((metrics -> 'test' ->> 'balanced_accuracy')::numeric, 2) AS balanced_accuracy
FROM dm_train('visits_group', 'visits', 'churned', 'decision_tree', NULL,
              '{"exclude": ["visit"], "split": {"group_by": "customer_id"}}');
SELECT split ->> 'method' AS method, split ->> 'group_by' AS group_by, split ->> 'groups' AS groups
FROM dm.models WHERE name = 'visits_group';
-- The group column is no feature.
SELECT jsonb_path_query_array(features, '$[*].name') AS features FROM dm.models WHERE name = 'visits_group';
-- Folds keep customers apart too: cross-validation agrees with the group test rows.
SELECT round((metrics -> 'cv' -> 'mean' ->> 'balanced_accuracy')::numeric, 2) AS cv_balanced_accuracy
FROM dm_train('visits_cv', 'visits', 'churned', 'decision_tree', NULL,
              '{"exclude": ["visit"], "split": {"group_by": "customer_id"}, "cv": 4}');

-- The model's own test rows, found again in the relation: the same count and the same metrics
-- as stored at training, and none of them a training row.
SELECT (e ->> 'rows')::int = (m.split ->> 'test')::int AS same_rows,
       e ->> 'rows_selected' AS selected, e ->> 'training_rows' AS training_rows,
       (e ->> 'balanced_accuracy')::float8 = (m.metrics -> 'test' ->> 'balanced_accuracy')::float8 AS same_metric
FROM dm.models m, dm_evaluate('visits_group', 'visits', rows => 'test') e
WHERE m.name = 'visits_group';
SELECT (e ->> 'rows')::int = (m.split ->> 'train')::int AS same_rows, e ->> 'training_rows' = e ->> 'rows' AS all_seen
FROM dm.models m, dm_evaluate('visits_group', 'visits', rows => 'train') e
WHERE m.name = 'visits_group';
-- Evaluated on all its rows, the model warns how many it was trained on.
SET client_min_messages = warning;
SELECT (dm_evaluate('visits_group', 'visits') ->> 'training_rows')::int = (split ->> 'train')::int AS counted
FROM dm.models WHERE name = 'visits_group';

-- A new relation: new customers and some old visits copied in. 'unseen' keeps the new ones.
CREATE TABLE visits_later AS
SELECT customer_id + 1000 AS customer_id, visit, customer_code + 0.5 AS customer_code, spend, churned FROM visits WHERE customer_id <= 100
UNION ALL
SELECT * FROM visits WHERE customer_id > 250;
SELECT dm_evaluate('visits_group', 'visits_later') ->> 'training_rows' AS training_rows_in_later;
SELECT e ->> 'rows' AS unseen_rows, e ->> 'training_rows' AS training_rows
FROM dm_evaluate('visits_group', 'visits_later', rows => 'unseen') e;
SELECT count(*) AS new_customer_rows FROM visits_later WHERE customer_id > 1000;

-- Duplicates kept (dedup off): the copies of a row stay on one side, so no test row copies a
-- training row and the test rows are no easier than new customers.
CREATE TABLE visits_copied AS SELECT customer_code, churned FROM visits;
SELECT version, round((metrics -> 'test' ->> 'balanced_accuracy')::numeric, 2) AS balanced_accuracy
FROM dm_train('visits_dupes', 'visits_copied', 'churned', 'decision_tree', NULL, '{"dedup": false}');
SELECT dm_evaluate('visits_dupes', 'visits_copied', rows => 'test') ->> 'training_rows' AS test_rows_seen_in_training;

-- Errors, each named.
\set VERBOSITY terse
SELECT dm_evaluate('visits_group', 'visits', rows => 'holdout');
SELECT dm_evaluate('visits_group', 'visits', rows => NULL);
SELECT dm_evaluate('visits_group', 'SELECT customer_code + 10000 AS customer_code, spend, churned FROM visits', rows => 'test');
SELECT version FROM dm_train('visits_km', 'SELECT customer_code, spend FROM visits', NULL, 'kmeans', '{"n_clusters": 2}');
SELECT dm_evaluate('visits_km', 'visits', rows => 'test');
SELECT dm_train('bad_split', 'visits', 'churned', 'decision_tree', NULL, '{"split": {"method": "group"}}');
SELECT dm_train('bad_split', 'visits', 'churned', 'decision_tree', NULL, '{"split": {"group_by": "nope"}}');
SELECT dm_train('bad_split', 'visits', 'churned', 'decision_tree', NULL, '{"split": {"group_by": "customer_id", "method": "time", "order_by": "visit"}}');
SELECT dm_train('bad_split', 'SELECT customer_id % 3 AS g, spend, churned FROM visits', 'churned', 'decision_tree', NULL, '{"split": {"group_by": "g"}, "cv": 5}');
SELECT dm_train('bad_split', 'SELECT customer_id, spend FROM visits', NULL, 'kmeans', NULL, '{"split": {"group_by": "customer_id"}}');
\set VERBOSITY default

-- Another role that may use the model evaluates its test rows; one that may not is refused.
CREATE ROLE dm_holdout_reader;
GRANT SELECT ON visits TO dm_holdout_reader;
SELECT dm_grant('visits_group', 'dm_holdout_reader', 'score');
SET ROLE dm_holdout_reader;
SELECT dm_evaluate('visits_group', 'visits', rows => 'test') ->> 'training_rows' AS reader_training_rows;
\set VERBOSITY terse
SELECT dm_evaluate('visits_dupes', 'visits', rows => 'test');
\set VERBOSITY default
RESET ROLE;

SELECT n, dm_drop_model(n) FROM unnest(ARRAY['visits_random', 'visits_group', 'visits_cv', 'visits_dupes', 'visits_km']) n;
DROP TABLE visits, visits_later, visits_copied;
DROP ROLE dm_holdout_reader;
