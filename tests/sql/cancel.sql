-- Cancel within a second, everywhere (issue 15, item 2): each training, scoring and mining
-- job below is stopped by statement_timeout. Asserted per case: the ERROR comes within a
-- second of the timeout, and the backend (all its pool threads) uses almost no CPU in the
-- half second after it — the pool waits for its job to stop instead of leaving it running.
-- CPU is the backend's utime + stime from /proc (superuser only, as this test runs).
SET client_min_messages = warning;
CREATE TABLE cbig AS
SELECT i AS id, ((i::int8 * 7919) % 1000) / 10.0::float8 AS f0, ((i::int8 * 104729) % 997) / 10.0::float8 AS f1,
       ((i * 31) % 1013)::float8 AS f2, ((i * 17) % 101)::float8 AS f3, ((i * 13) % 89)::float8 AS f4,
       sin(i)::float8 AS f5, cos(i * 0.7)::float8 AS f6, ((i * 7) % 53)::float8 AS f7,
       ((i * 3) % 1009)::float8 AS f8, (i % 11)::float8 AS f9,
       (((i::int8 * 7919) % 1000) / 10.0 + ((i::int8 * 104729) % 997) / 10.0 + 20 * sin(i) > 100) AS label,
       ((i::int8 * 7919) % 1000) / 10.0 + 3 * ((i * 31) % 1013) / 100.0 + sin(i) AS y,
       'item' || (i % 23) AS item, i / 4 AS basket
FROM generate_series(1, 600000) i;
-- Each case's numbers, for reading after a run (not printed: they vary).
CREATE TABLE cancel_latency (job text, timeout_s float8, latency_s float8, cpu_after_s float8);
CREATE VIEW c300 AS SELECT * FROM cbig WHERE id <= 300000;
CREATE VIEW c50 AS SELECT * FROM cbig WHERE id <= 50000;
CREATE FUNCTION pg_temp.cpu() RETURNS float8 LANGUAGE sql AS $$
  SELECT (split_part(s, ' ', 12)::float8 + split_part(s, ' ', 13)::float8) / 100
  FROM (SELECT split_part(pg_read_file('/proc/' || pg_backend_pid() || '/stat'), ') ', 2) AS s) t $$;
SELECT version FROM dm_train('c_knn', 'SELECT f0, f1, f2, f3, f4, label FROM cbig WHERE id <= 20000', 'label', 'knn');
SELECT version FROM dm_train('c_km', 'SELECT f0, f1, f2, f3 FROM cbig WHERE id <= 20000', NULL, 'kmeans', '{"n_clusters": 4}');

-- linear_regression
SELECT pg_temp.cpu() AS c0 \gset
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
SET statement_timeout = '250ms';
SELECT version FROM dm_train('c_linear_regression', 'SELECT f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, y FROM cbig', 'y', 'linear_regression', '{}', '{"deploy": "never"}');
RESET statement_timeout;
SELECT extract(epoch FROM clock_timestamp()) - :t0 AS latency, pg_temp.cpu() AS c1 \gset
SELECT pg_sleep(0.5);
SELECT pg_temp.cpu() - :c1 AS cpu_after \gset
INSERT INTO cancel_latency VALUES ('linear_regression', extract(epoch FROM interval '250ms'), :latency, :cpu_after);
SELECT 'linear_regression' AS job, :latency < extract(epoch FROM interval '250ms') + 1 AS error_within_a_second,
       :cpu_after < 0.1 AS idle_after;
-- ridge
SELECT pg_temp.cpu() AS c0 \gset
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
SET statement_timeout = '250ms';
SELECT version FROM dm_train('c_ridge', 'SELECT f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, y FROM cbig', 'y', 'ridge', '{}', '{"deploy": "never"}');
RESET statement_timeout;
SELECT extract(epoch FROM clock_timestamp()) - :t0 AS latency, pg_temp.cpu() AS c1 \gset
SELECT pg_sleep(0.5);
SELECT pg_temp.cpu() - :c1 AS cpu_after \gset
INSERT INTO cancel_latency VALUES ('ridge', extract(epoch FROM interval '250ms'), :latency, :cpu_after);
SELECT 'ridge' AS job, :latency < extract(epoch FROM interval '250ms') + 1 AS error_within_a_second,
       :cpu_after < 0.1 AS idle_after;
-- lasso
SELECT pg_temp.cpu() AS c0 \gset
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
SET statement_timeout = '250ms';
SELECT version FROM dm_train('c_lasso', 'SELECT f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, y FROM cbig', 'y', 'lasso', '{}', '{"deploy": "never"}');
RESET statement_timeout;
SELECT extract(epoch FROM clock_timestamp()) - :t0 AS latency, pg_temp.cpu() AS c1 \gset
SELECT pg_sleep(0.5);
SELECT pg_temp.cpu() - :c1 AS cpu_after \gset
INSERT INTO cancel_latency VALUES ('lasso', extract(epoch FROM interval '250ms'), :latency, :cpu_after);
SELECT 'lasso' AS job, :latency < extract(epoch FROM interval '250ms') + 1 AS error_within_a_second,
       :cpu_after < 0.1 AS idle_after;
-- elastic_net
SELECT pg_temp.cpu() AS c0 \gset
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
SET statement_timeout = '250ms';
SELECT version FROM dm_train('c_elastic_net', 'SELECT f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, y FROM cbig', 'y', 'elastic_net', '{}', '{"deploy": "never"}');
RESET statement_timeout;
SELECT extract(epoch FROM clock_timestamp()) - :t0 AS latency, pg_temp.cpu() AS c1 \gset
SELECT pg_sleep(0.5);
SELECT pg_temp.cpu() - :c1 AS cpu_after \gset
INSERT INTO cancel_latency VALUES ('elastic_net', extract(epoch FROM interval '250ms'), :latency, :cpu_after);
SELECT 'elastic_net' AS job, :latency < extract(epoch FROM interval '250ms') + 1 AS error_within_a_second,
       :cpu_after < 0.1 AS idle_after;
-- logistic_regression
SELECT pg_temp.cpu() AS c0 \gset
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
SET statement_timeout = '250ms';
SELECT version FROM dm_train('c_logistic_regression', 'SELECT f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, label FROM cbig', 'label', 'logistic_regression', '{}', '{"deploy": "never"}');
RESET statement_timeout;
SELECT extract(epoch FROM clock_timestamp()) - :t0 AS latency, pg_temp.cpu() AS c1 \gset
SELECT pg_sleep(0.5);
SELECT pg_temp.cpu() - :c1 AS cpu_after \gset
INSERT INTO cancel_latency VALUES ('logistic_regression', extract(epoch FROM interval '250ms'), :latency, :cpu_after);
SELECT 'logistic_regression' AS job, :latency < extract(epoch FROM interval '250ms') + 1 AS error_within_a_second,
       :cpu_after < 0.1 AS idle_after;
-- decision_tree
SELECT pg_temp.cpu() AS c0 \gset
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
SET statement_timeout = '250ms';
SELECT version FROM dm_train('c_decision_tree', 'SELECT f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, label FROM cbig', 'label', 'decision_tree', '{}', '{"deploy": "never"}');
RESET statement_timeout;
SELECT extract(epoch FROM clock_timestamp()) - :t0 AS latency, pg_temp.cpu() AS c1 \gset
SELECT pg_sleep(0.5);
SELECT pg_temp.cpu() - :c1 AS cpu_after \gset
INSERT INTO cancel_latency VALUES ('decision_tree', extract(epoch FROM interval '250ms'), :latency, :cpu_after);
SELECT 'decision_tree' AS job, :latency < extract(epoch FROM interval '250ms') + 1 AS error_within_a_second,
       :cpu_after < 0.1 AS idle_after;
-- random_forest
SELECT pg_temp.cpu() AS c0 \gset
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
SET statement_timeout = '1s';
SELECT version FROM dm_train('c_random_forest', 'SELECT f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, label FROM c300', 'label', 'random_forest', '{}', '{"deploy": "never"}');
RESET statement_timeout;
SELECT extract(epoch FROM clock_timestamp()) - :t0 AS latency, pg_temp.cpu() AS c1 \gset
SELECT pg_sleep(0.5);
SELECT pg_temp.cpu() - :c1 AS cpu_after \gset
INSERT INTO cancel_latency VALUES ('random_forest', extract(epoch FROM interval '1s'), :latency, :cpu_after);
SELECT 'random_forest' AS job, :latency < extract(epoch FROM interval '1s') + 1 AS error_within_a_second,
       :cpu_after < 0.1 AS idle_after;
-- extra_trees
SELECT pg_temp.cpu() AS c0 \gset
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
SET statement_timeout = '1s';
SELECT version FROM dm_train('c_extra_trees', 'SELECT f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, label FROM c300', 'label', 'extra_trees', '{}', '{"deploy": "never"}');
RESET statement_timeout;
SELECT extract(epoch FROM clock_timestamp()) - :t0 AS latency, pg_temp.cpu() AS c1 \gset
SELECT pg_sleep(0.5);
SELECT pg_temp.cpu() - :c1 AS cpu_after \gset
INSERT INTO cancel_latency VALUES ('extra_trees', extract(epoch FROM interval '1s'), :latency, :cpu_after);
SELECT 'extra_trees' AS job, :latency < extract(epoch FROM interval '1s') + 1 AS error_within_a_second,
       :cpu_after < 0.1 AS idle_after;
-- gradient_boosting
SELECT pg_temp.cpu() AS c0 \gset
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
SET statement_timeout = '1s';
SELECT version FROM dm_train('c_gradient_boosting', 'SELECT f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, label FROM c300', 'label', 'gradient_boosting', '{"n_estimators": 5000}', '{"deploy": "never"}');
RESET statement_timeout;
SELECT extract(epoch FROM clock_timestamp()) - :t0 AS latency, pg_temp.cpu() AS c1 \gset
SELECT pg_sleep(0.5);
SELECT pg_temp.cpu() - :c1 AS cpu_after \gset
INSERT INTO cancel_latency VALUES ('gradient_boosting', extract(epoch FROM interval '1s'), :latency, :cpu_after);
SELECT 'gradient_boosting' AS job, :latency < extract(epoch FROM interval '1s') + 1 AS error_within_a_second,
       :cpu_after < 0.1 AS idle_after;
-- knn
SELECT pg_temp.cpu() AS c0 \gset
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
SET statement_timeout = '1s';
SELECT version FROM dm_train('c_knn', 'SELECT f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, label FROM c300', 'label', 'knn', '{}', '{"deploy": "never"}');
RESET statement_timeout;
SELECT extract(epoch FROM clock_timestamp()) - :t0 AS latency, pg_temp.cpu() AS c1 \gset
SELECT pg_sleep(0.5);
SELECT pg_temp.cpu() - :c1 AS cpu_after \gset
INSERT INTO cancel_latency VALUES ('knn', extract(epoch FROM interval '1s'), :latency, :cpu_after);
SELECT 'knn' AS job, :latency < extract(epoch FROM interval '1s') + 1 AS error_within_a_second,
       :cpu_after < 0.1 AS idle_after;
-- naive_bayes
SELECT pg_temp.cpu() AS c0 \gset
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
SET statement_timeout = '250ms';
SELECT version FROM dm_train('c_naive_bayes', 'SELECT f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, label FROM cbig', 'label', 'naive_bayes', '{}', '{"deploy": "never"}');
RESET statement_timeout;
SELECT extract(epoch FROM clock_timestamp()) - :t0 AS latency, pg_temp.cpu() AS c1 \gset
SELECT pg_sleep(0.5);
SELECT pg_temp.cpu() - :c1 AS cpu_after \gset
INSERT INTO cancel_latency VALUES ('naive_bayes', extract(epoch FROM interval '250ms'), :latency, :cpu_after);
SELECT 'naive_bayes' AS job, :latency < extract(epoch FROM interval '250ms') + 1 AS error_within_a_second,
       :cpu_after < 0.1 AS idle_after;
-- mlp
SELECT pg_temp.cpu() AS c0 \gset
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
SET statement_timeout = '1s';
SELECT version FROM dm_train('c_mlp', 'SELECT f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, label FROM c300', 'label', 'mlp', '{}', '{"deploy": "never"}');
RESET statement_timeout;
SELECT extract(epoch FROM clock_timestamp()) - :t0 AS latency, pg_temp.cpu() AS c1 \gset
SELECT pg_sleep(0.5);
SELECT pg_temp.cpu() - :c1 AS cpu_after \gset
INSERT INTO cancel_latency VALUES ('mlp', extract(epoch FROM interval '1s'), :latency, :cpu_after);
SELECT 'mlp' AS job, :latency < extract(epoch FROM interval '1s') + 1 AS error_within_a_second,
       :cpu_after < 0.1 AS idle_after;
-- svm
SELECT pg_temp.cpu() AS c0 \gset
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
SET statement_timeout = '1s';
SELECT version FROM dm_train('c_svm', 'SELECT f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, label FROM c50', 'label', 'svm', '{}', '{"deploy": "never"}');
RESET statement_timeout;
SELECT extract(epoch FROM clock_timestamp()) - :t0 AS latency, pg_temp.cpu() AS c1 \gset
SELECT pg_sleep(0.5);
SELECT pg_temp.cpu() - :c1 AS cpu_after \gset
INSERT INTO cancel_latency VALUES ('svm', extract(epoch FROM interval '1s'), :latency, :cpu_after);
SELECT 'svm' AS job, :latency < extract(epoch FROM interval '1s') + 1 AS error_within_a_second,
       :cpu_after < 0.1 AS idle_after;
-- svr
SELECT pg_temp.cpu() AS c0 \gset
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
SET statement_timeout = '1s';
SELECT version FROM dm_train('c_svr', 'SELECT f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, y FROM c50', 'y', 'svr', '{}', '{"deploy": "never"}');
RESET statement_timeout;
SELECT extract(epoch FROM clock_timestamp()) - :t0 AS latency, pg_temp.cpu() AS c1 \gset
SELECT pg_sleep(0.5);
SELECT pg_temp.cpu() - :c1 AS cpu_after \gset
INSERT INTO cancel_latency VALUES ('svr', extract(epoch FROM interval '1s'), :latency, :cpu_after);
SELECT 'svr' AS job, :latency < extract(epoch FROM interval '1s') + 1 AS error_within_a_second,
       :cpu_after < 0.1 AS idle_after;
-- kmeans
SELECT pg_temp.cpu() AS c0 \gset
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
SET statement_timeout = '1s';
SELECT version FROM dm_train('c_kmeans', 'SELECT f0, f1, f2, f3, f4, f5, f6, f7, f8, f9 FROM c300', NULL, 'kmeans', '{}', '{"deploy": "never"}');
RESET statement_timeout;
SELECT extract(epoch FROM clock_timestamp()) - :t0 AS latency, pg_temp.cpu() AS c1 \gset
SELECT pg_sleep(0.5);
SELECT pg_temp.cpu() - :c1 AS cpu_after \gset
INSERT INTO cancel_latency VALUES ('kmeans', extract(epoch FROM interval '1s'), :latency, :cpu_after);
SELECT 'kmeans' AS job, :latency < extract(epoch FROM interval '1s') + 1 AS error_within_a_second,
       :cpu_after < 0.1 AS idle_after;
-- dbscan
SELECT pg_temp.cpu() AS c0 \gset
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
SET statement_timeout = '1s';
SELECT version FROM dm_train('c_dbscan', 'SELECT f0, f1, f2, f3, f4, f5, f6, f7, f8, f9 FROM c300', NULL, 'dbscan', '{}', '{"deploy": "never"}');
RESET statement_timeout;
SELECT extract(epoch FROM clock_timestamp()) - :t0 AS latency, pg_temp.cpu() AS c1 \gset
SELECT pg_sleep(0.5);
SELECT pg_temp.cpu() - :c1 AS cpu_after \gset
INSERT INTO cancel_latency VALUES ('dbscan', extract(epoch FROM interval '1s'), :latency, :cpu_after);
SELECT 'dbscan' AS job, :latency < extract(epoch FROM interval '1s') + 1 AS error_within_a_second,
       :cpu_after < 0.1 AS idle_after;
-- isolation_forest
SELECT pg_temp.cpu() AS c0 \gset
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
SET statement_timeout = '1s';
SELECT version FROM dm_train('c_isolation_forest', 'SELECT f0, f1, f2, f3, f4, f5, f6, f7, f8, f9 FROM c300', NULL, 'isolation_forest', '{"n_estimators": 3000}', '{"deploy": "never"}');
RESET statement_timeout;
SELECT extract(epoch FROM clock_timestamp()) - :t0 AS latency, pg_temp.cpu() AS c1 \gset
SELECT pg_sleep(0.5);
SELECT pg_temp.cpu() - :c1 AS cpu_after \gset
INSERT INTO cancel_latency VALUES ('isolation_forest', extract(epoch FROM interval '1s'), :latency, :cpu_after);
SELECT 'isolation_forest' AS job, :latency < extract(epoch FROM interval '1s') + 1 AS error_within_a_second,
       :cpu_after < 0.1 AS idle_after;
-- pca
SELECT pg_temp.cpu() AS c0 \gset
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
SET statement_timeout = '250ms';
SELECT version FROM dm_train('c_pca', 'SELECT f0, f1, f2, f3, f4, f5, f6, f7, f8, f9 FROM cbig', NULL, 'pca', '{}', '{"deploy": "never"}');
RESET statement_timeout;
SELECT extract(epoch FROM clock_timestamp()) - :t0 AS latency, pg_temp.cpu() AS c1 \gset
SELECT pg_sleep(0.5);
SELECT pg_temp.cpu() - :c1 AS cpu_after \gset
INSERT INTO cancel_latency VALUES ('pca', extract(epoch FROM interval '250ms'), :latency, :cpu_after);
SELECT 'pca' AS job, :latency < extract(epoch FROM interval '250ms') + 1 AS error_within_a_second,
       :cpu_after < 0.1 AS idle_after;
-- forest_cv
SELECT pg_temp.cpu() AS c0 \gset
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
SET statement_timeout = '1s';
SELECT version FROM dm_train('c_forest_cv', 'SELECT f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, label FROM c300', 'label', 'random_forest', '{}', '{"deploy": "never", "cv": 5}');
RESET statement_timeout;
SELECT extract(epoch FROM clock_timestamp()) - :t0 AS latency, pg_temp.cpu() AS c1 \gset
SELECT pg_sleep(0.5);
SELECT pg_temp.cpu() - :c1 AS cpu_after \gset
INSERT INTO cancel_latency VALUES ('forest_cv', extract(epoch FROM interval '1s'), :latency, :cpu_after);
SELECT 'forest_cv' AS job, :latency < extract(epoch FROM interval '1s') + 1 AS error_within_a_second,
       :cpu_after < 0.1 AS idle_after;
-- auto
SELECT pg_temp.cpu() AS c0 \gset
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
SET statement_timeout = '1s';
SELECT version FROM dm_train('c_auto', 'SELECT f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, label FROM c300', 'label', 'auto', '{}', '{"deploy": "never"}');
RESET statement_timeout;
SELECT extract(epoch FROM clock_timestamp()) - :t0 AS latency, pg_temp.cpu() AS c1 \gset
SELECT pg_sleep(0.5);
SELECT pg_temp.cpu() - :c1 AS cpu_after \gset
INSERT INTO cancel_latency VALUES ('auto', extract(epoch FROM interval '1s'), :latency, :cpu_after);
SELECT 'auto' AS job, :latency < extract(epoch FROM interval '1s') + 1 AS error_within_a_second,
       :cpu_after < 0.1 AS idle_after;
-- dm_evaluate
SELECT pg_temp.cpu() AS c0 \gset
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
SET statement_timeout = '1s';
SELECT dm_evaluate('c_knn', 'c300') IS NOT NULL;
RESET statement_timeout;
SELECT extract(epoch FROM clock_timestamp()) - :t0 AS latency, pg_temp.cpu() AS c1 \gset
SELECT pg_sleep(0.5);
SELECT pg_temp.cpu() - :c1 AS cpu_after \gset
INSERT INTO cancel_latency VALUES ('dm_evaluate', extract(epoch FROM interval '1s'), :latency, :cpu_after);
SELECT 'dm_evaluate' AS job, :latency < extract(epoch FROM interval '1s') + 1 AS error_within_a_second,
       :cpu_after < 0.1 AS idle_after;
-- dm_drift
SELECT pg_temp.cpu() AS c0 \gset
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
SET statement_timeout = '250ms';
SELECT count(*) FROM dm_drift('c_km', 'cbig');
RESET statement_timeout;
SELECT extract(epoch FROM clock_timestamp()) - :t0 AS latency, pg_temp.cpu() AS c1 \gset
SELECT pg_sleep(0.5);
SELECT pg_temp.cpu() - :c1 AS cpu_after \gset
INSERT INTO cancel_latency VALUES ('dm_drift', extract(epoch FROM interval '250ms'), :latency, :cpu_after);
SELECT 'dm_drift' AS job, :latency < extract(epoch FROM interval '250ms') + 1 AS error_within_a_second,
       :cpu_after < 0.1 AS idle_after;
-- dm_kmeans
SELECT pg_temp.cpu() AS c0 \gset
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
SET statement_timeout = '1s';
SELECT dm_kmeans(ARRAY[f0, f1, f2, f3, f4, f5], 8, '{"n_init": 1000}') IS NOT NULL FROM c300;
RESET statement_timeout;
SELECT extract(epoch FROM clock_timestamp()) - :t0 AS latency, pg_temp.cpu() AS c1 \gset
SELECT pg_sleep(0.5);
SELECT pg_temp.cpu() - :c1 AS cpu_after \gset
INSERT INTO cancel_latency VALUES ('dm_kmeans', extract(epoch FROM interval '1s'), :latency, :cpu_after);
SELECT 'dm_kmeans' AS job, :latency < extract(epoch FROM interval '1s') + 1 AS error_within_a_second,
       :cpu_after < 0.1 AS idle_after;
-- dm_frequent_itemsets
SELECT pg_temp.cpu() AS c0 \gset
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
SET statement_timeout = '1s';
SELECT count(*) FROM dm_frequent_itemsets('SELECT id / 40 AS basket, ''i'' || (id % 97) AS item FROM cbig', 'basket', 'item', 0.02, '{"max_itemsets": 100000000}');
RESET statement_timeout;
SELECT extract(epoch FROM clock_timestamp()) - :t0 AS latency, pg_temp.cpu() AS c1 \gset
SELECT pg_sleep(0.5);
SELECT pg_temp.cpu() - :c1 AS cpu_after \gset
INSERT INTO cancel_latency VALUES ('dm_frequent_itemsets', extract(epoch FROM interval '1s'), :latency, :cpu_after);
SELECT 'dm_frequent_itemsets' AS job, :latency < extract(epoch FROM interval '1s') + 1 AS error_within_a_second,
       :cpu_after < 0.1 AS idle_after;
