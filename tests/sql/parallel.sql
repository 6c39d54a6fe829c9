-- Scoring in parallel mode (issue 15, item 4): each case starts a fresh session (no model
-- loaded yet), forces a parallel plan and runs in a transaction that has already written, so
-- the catalog reads run in parallel workers and in a leader in parallel mode. A catalog read
-- that was not read-only failed there with "cannot start commands during a parallel operation".
SET client_min_messages = warning;
-- PostgreSQL 16 renamed force_parallel_mode to debug_parallel_query: the name this server knows.
SELECT CASE WHEN current_setting('server_version_num')::int >= 160000 THEN 'debug_parallel_query'
            ELSE 'force_parallel_mode' END AS force_parallel \gset
SELECT version FROM dm_train('par_lr', 'SELECT age, plan, tenure, churned FROM customers', 'churned', 'logistic_regression');
SELECT version FROM dm_train('par_rf', 'SELECT age, plan, tenure, churned FROM customers', 'churned', 'random_forest', '{"n_estimators": 10}');
-- The serial answers every case compares with.
CREATE TABLE par_expected AS
SELECT id, dm_predict('par_lr', c) AS lr, dm_predict_proba('par_rf', c) AS rf, dm_predict_label('par_rf', c) AS rf_label
FROM customers c;
CREATE VIEW par_source AS SELECT id, age, plan, tenure FROM customers;
\c
SET :force_parallel = on;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
-- The plan the cases use: a Gather over a parallel scan.
EXPLAIN (COSTS OFF) SELECT id, dm_predict('par_lr', c) FROM customers c;
-- CREATE TABLE AS (the command has written: it created the table).
CREATE TABLE par_ctas AS
SELECT id, dm_predict('par_lr', c) AS lr, dm_predict_proba('par_rf', c) AS rf, dm_predict_label('par_rf', c) AS rf_label
FROM customers c;
SELECT count(*) AS rows, count(*) FILTER (WHERE e.lr = p.lr AND e.rf = p.rf AND e.rf_label = p.rf_label) AS same
FROM par_ctas p JOIN par_expected e USING (id);
\c
SET :force_parallel = on;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
-- CREATE MATERIALIZED VIEW, then REFRESH in another fresh session.
CREATE MATERIALIZED VIEW par_mv AS
SELECT id, dm_predict('par_lr', c) AS lr, dm_predict_proba('par_rf', c) AS rf FROM customers c;
SELECT count(*) AS rows, count(*) FILTER (WHERE e.lr = p.lr AND e.rf = p.rf) AS same
FROM par_mv p JOIN par_expected e USING (id);
\c
SET :force_parallel = on;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
REFRESH MATERIALIZED VIEW par_mv;
SELECT count(*) AS rows, count(*) FILTER (WHERE e.lr = p.lr AND e.rf = p.rf) AS same
FROM par_mv p JOIN par_expected e USING (id);
\c
SET :force_parallel = on;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
-- A plain parallel SELECT and an INSERT ... SELECT in a transaction that has already written.
CREATE TABLE par_log (n int);
BEGIN;
INSERT INTO par_log VALUES (1);
SELECT count(*) AS rows, count(*) FILTER (WHERE e.lr = s.lr AND e.rf_label = s.rf_label) AS same
FROM (SELECT id, dm_predict('par_lr', v) AS lr, dm_predict_label('par_rf', v) AS rf_label FROM par_source v) s
JOIN par_expected e USING (id);
INSERT INTO par_log SELECT dm_predict('par_lr', c)::int FROM customers c;
SELECT count(*) AS logged FROM par_log;
COMMIT;
\c
SET :force_parallel = on;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET client_min_messages = warning;
-- A model trained and deployed in this transaction, not yet committed, scored by workers.
BEGIN;
SELECT version FROM dm_train('par_new', 'SELECT age, plan, tenure, churned FROM customers', 'churned', 'logistic_regression');
CREATE TABLE par_new_scores AS SELECT id, dm_predict('par_new', c) AS p FROM customers c;
SELECT count(*) AS rows, count(*) FILTER (WHERE e.lr = s.p) AS same
FROM par_new_scores s JOIN par_expected e USING (id);
COMMIT;
