-- dm_report and dm_report_svg (issue 19): what a page holds for each kind of model and for
-- each role, and every refusal with its SQLSTATE. Pages are checked by markers (they carry a
-- timestamp); the pictures themselves are checked in a browser by tests/report/run.sh.
SET client_min_messages = warning;
\set VERBOSITY default
DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['dm_rep_viewer', 'dm_rep_manager', 'dm_rep_none'] LOOP
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
      EXECUTE format('DROP OWNED BY %I CASCADE', r);
      EXECUTE format('DROP ROLE %I', r);
    END IF;
  END LOOP;
END $$;
DROP SCHEMA IF EXISTS rep CASCADE;
CREATE ROLE dm_rep_viewer LOGIN;
CREATE ROLE dm_rep_manager LOGIN;
CREATE ROLE dm_rep_none LOGIN;
CREATE SCHEMA rep;
GRANT USAGE ON SCHEMA rep TO PUBLIC;
CREATE TABLE rep.cust AS
SELECT i AS id, (i % 53)::float8 AS tenure, ((i * 37) % 101)::float8 AS spend,
       CASE WHEN i % 3 = 0 THEN 'web' ELSE 'store' END AS channel,
       CASE WHEN (i % 53) + ((i * 37) % 101) / 4.0 > 45 THEN 'stay' ELSE 'churn' END AS churned,
       (i % 53) * 2.0 + ((i * 37) % 101) AS value
FROM generate_series(1, 900) i;
CREATE TABLE rep.later AS SELECT id, tenure + 30 AS tenure, spend, channel, churned, value FROM rep.cust WHERE id <= 300;
GRANT SELECT ON rep.later TO dm_rep_viewer, dm_rep_manager;
SELECT count(*) FROM dm_train('rep_churn', 'rep.cust', 'churned', 'random_forest', '{"n_estimators": 20}',
                              '{"exclude": ["id", "value"], "search": {"method": "grid", "params": {"max_depth": [2, 6]}, "folds": 3}}');
SELECT count(*) FROM dm_train('rep_value', 'SELECT tenure, spend, channel, value FROM rep.cust', 'value', 'ridge');
SELECT count(*) FROM dm_train('rep_groups', 'SELECT tenure, spend FROM rep.cust', NULL, 'kmeans', '{"n_clusters": 4}');
SELECT count(*) FROM dm_train('rep_odd', 'SELECT tenure, spend FROM rep.cust', NULL, 'isolation_forest');

-- The markers of a page: its charts, and its sections and notes.
CREATE FUNCTION rep.charts(html text) RETURNS text LANGUAGE sql AS $$
  SELECT string_agg(m[1], ' ' ORDER BY n)
  FROM regexp_matches(html, '<figure data-chart="([a-z_]+)"', 'g') WITH ORDINALITY AS x(m, n) $$;
CREATE FUNCTION rep.has(html text, marker text) RETURNS bool LANGUAGE sql AS $$
  SELECT position(marker IN html) > 0 $$;
GRANT EXECUTE ON FUNCTION rep.charts(text), rep.has(text, text) TO PUBLIC;

-- Without a relation: the model's own test rows of its source (found by row keys).
SELECT rep.charts(r) AS charts, rep.has(r, 'Measured on its test rows of rep.cust') AS on_test_rows,
       rep.has(r, '<tr class="objective" data-metric="balanced_accuracy">') AS objective_marked,
       rep.has(r, 'Search: 2 trials') AS trials, rep.has(r, '<script') AS has_script,
       r LIKE '<!DOCTYPE html>%</html>' || chr(10) AS whole
FROM dm_report('rep_churn') r;
-- On another relation: the same charts measured there, and its drift.
SELECT rep.charts(r) AS charts, rep.has(r, 'Drifted (PSI above 0.2): tenure') AS tenure_drifted
FROM dm_report('rep_churn', 'rep.later') r;
SELECT rep.charts(r) AS charts FROM dm_report('rep_churn', 'rep.later', '{"rows": "unseen"}') r;
SELECT rep.has(r, 'No column has a PSI above 50') AS threshold_used
FROM dm_report('rep_churn', 'rep.later', '{"drift_threshold": 50}') r;
-- A model trained on a query: measured only on a relation given.
SELECT rep.charts(r) AS charts, rep.has(r, 'The model was trained on a query') AS says_why
FROM dm_report('rep_value') r;
SELECT rep.charts(r) AS charts FROM dm_report('rep_value', 'rep.cust') r;
SELECT rep.charts(r) AS charts FROM dm_report('rep_groups', 'rep.cust') r;
SELECT rep.charts(r) AS charts, rep.has(r, 'flagged.') AS counts_flagged FROM dm_report('rep_odd', 'rep.cust') r;
SELECT rep.charts(r) AS charts, rep.has(r, 'Pass a relation') AS says_why FROM dm_report('rep_groups') r;

-- One chart: a standalone SVG document.
SELECT s LIKE '<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="roc"%</svg>' AS roc_svg,
       rep.has(s, 'ROC curve: rep_churn@1 on relation rep.later') AS titled
FROM dm_report_svg('rep_churn', 'roc', 'rep.later') s;
SELECT (regexp_match(s, 'data-rows="(\d+)" data-cols="(\d+)"'))::text AS matrix,
       (SELECT sum(count) FROM dm_confusion_matrix('rep_churn', 'rep.later')) AS rows_counted,
       (SELECT sum(m[1]::int) FROM regexp_matches(s, 'data-count="(\d+)"', 'g') m) AS rows_drawn
FROM dm_report_svg('rep_churn', 'confusion_matrix', 'rep.later') s;
SELECT length(dm_report_svg('rep_churn', 'feature_importance')) > 0 AS importance_without_rows;

-- Refusals.
SELECT err($$SELECT dm_report_svg('rep_churn', 'pie')$$);
SELECT err($$SELECT dm_report_svg('rep_value', 'roc', 'rep.cust')$$);
SELECT err($$SELECT dm_report_svg('rep_groups', 'cluster_sizes')$$);
SELECT err($$SELECT dm_report_svg('rep_churn', NULL)$$);
SELECT err($$SELECT dm_report(NULL)$$);
SELECT err($$SELECT dm_report('rep_nope')$$);
SELECT err($$SELECT dm_report('rep_churn', 'rep.cust', '{"colour": "red"}')$$);
SELECT err($$SELECT dm_report('rep_churn', 'rep.cust', '{"drift_threshold": -1}')$$);
SELECT err($$SELECT dm_report('rep_churn', 'rep.cust', '{"rows": "sometimes"}')$$);
SELECT err($$SELECT dm_report('rep_groups', 'rep.cust', '{"rows": "test"}')$$);
SELECT err($$SELECT dm_report('rep_churn', 'rep.nope')$$);
SELECT err($$SELECT dm_report('rep_churn', 'SELECT tenure FROM rep.cust')$$);

-- Other roles: no right, no report; the score right shows the model but not its source,
-- trials or drift; manage shows all of it (relations read with the caller's own rights).
SELECT dm_grant('rep_churn', 'dm_rep_viewer', 'score');
SELECT dm_grant('rep_churn', 'dm_rep_manager', 'manage');
SET ROLE dm_rep_none;
SELECT err($$SELECT dm_report('rep_churn')$$);
SELECT err($$SELECT dm_report_svg('rep_churn', 'feature_importance')$$);
SET ROLE dm_rep_viewer;
SELECT rep.charts(r) AS charts, rep.has(r, 'rep.cust') AS shows_source,
       rep.has(r, 'need the manage right') AS says_manage, rep.has(r, 'Search trials are shown to roles with the train right') AS says_train
FROM dm_report('rep_churn') r;
SELECT rep.charts(r) AS charts, rep.has(r, 'Drift against the training rows is shown to roles with the manage right') AS says_drift
FROM dm_report('rep_churn', 'rep.later') r;
SELECT err($$SELECT dm_report('rep_churn', 'rep.cust')$$);
SELECT err($$SELECT dm_report_svg('rep_churn', 'trials')$$);
SET ROLE dm_rep_manager;
SELECT rep.charts(r) AS charts FROM dm_report('rep_churn', 'rep.later') r;
-- The source rep.cust is not granted to this role: said, not read.
SELECT rep.charts(r) AS charts, rep.has(r, 'is gone or not readable by this role') AS says_unreadable
FROM dm_report('rep_churn') r;
RESET ROLE;
