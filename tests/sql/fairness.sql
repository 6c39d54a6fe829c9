-- Fairness (issue 18, item 10): dm_fairness reports a classifier's decisions per group of one or
-- more sensitive columns with fairlearn's definitions (the unit tests match fairlearn 0.15 to
-- 1e-9 on tests/fixtures/fairlearn_reference.json); here every rate is checked against the same
-- numbers computed in plain SQL from the model's own labels.
SET client_min_messages = warning;

CREATE TABLE applicants AS
SELECT i AS id,
       (ARRAY['f', 'm', 'x'])[1 + (i * 7 % 10 >= 5)::int + (i % 13 = 0)::int] AS gender,
       (ARRAY['18-30', '31-50', '51+'])[1 + i * 11 % 3] AS band,
       (i * 7919 % 1000)::float8 / 10 AS income,
       (i * 104729 % 97)::float8 AS debt,
       ((i * 7919 % 1000)::float8 / 10 - (i * 104729 % 97)::float8 / 2 + CASE WHEN i * 7 % 10 >= 5 THEN 15 ELSE 0 END) > 40 AS approved
FROM generate_series(1, 2000) i;
SELECT gender, count(*), round(avg(approved::int), 3) AS approved_share FROM applicants GROUP BY gender ORDER BY gender;

-- The model never sees gender; its decisions may still differ between the groups.
SELECT version FROM dm_train('loans', 'SELECT income, debt, approved FROM applicants', 'approved', 'decision_tree', '{"max_depth": 4}');

SELECT jsonb_path_query_array(f -> 'groups', '$[*].group.gender') AS groups, f ->> 'positive_class' AS positive_class,
       round((f ->> 'demographic_parity_difference')::numeric, 4) AS dp_difference,
       round((f ->> 'demographic_parity_ratio')::numeric, 4) AS dp_ratio,
       round((f ->> 'equalized_odds_difference')::numeric, 4) AS eo_difference,
       round((f ->> 'equal_opportunity_difference')::numeric, 4) AS eop_difference
FROM dm_fairness('loans', 'applicants', 'gender') f;

-- Measured on every row, the report warns of the training rows among them (once above); the
-- checks below measure all rows on purpose.
SET client_min_messages = error;
-- Every group's rates equal plain SQL over the model's labels.
WITH scored AS (
  SELECT gender, approved, dm_predict_label('loans', a)::boolean AS predicted FROM applicants a
), plain AS (
  SELECT gender, count(*) AS rows,
         avg(predicted::int) AS selection_rate,
         coalesce(avg(predicted::int) FILTER (WHERE approved), 0) AS tpr,
         coalesce(avg(predicted::int) FILTER (WHERE NOT approved), 0) AS fpr,
         coalesce(avg(approved::int) FILTER (WHERE predicted), 0) AS precision
  FROM scored GROUP BY gender
), reported AS (
  SELECT g -> 'group' ->> 'gender' AS gender, (g ->> 'rows')::bigint AS rows,
         (g ->> 'selection_rate')::float8 AS selection_rate, (g ->> 'true_positive_rate')::float8 AS tpr,
         (g ->> 'false_positive_rate')::float8 AS fpr, (g ->> 'precision')::float8 AS precision
  FROM jsonb_array_elements(dm_fairness('loans', 'applicants', 'gender') -> 'groups') g
)
SELECT p.gender, p.rows = r.rows AS same_rows,
       abs(p.selection_rate - r.selection_rate) < 1e-12 AS same_selection,
       abs(p.tpr - r.tpr) < 1e-12 AS same_tpr, abs(p.fpr - r.fpr) < 1e-12 AS same_fpr,
       abs(p.precision - r.precision) < 1e-12 AS same_precision
FROM plain p JOIN reported r USING (gender) ORDER BY p.gender;

-- The disparities from the same plain numbers: largest minus smallest, smallest over largest.
WITH g AS (
  SELECT (x ->> 'selection_rate')::float8 AS sel, (x ->> 'true_positive_rate')::float8 AS tpr, (x ->> 'false_positive_rate')::float8 AS fpr
  FROM jsonb_array_elements(dm_fairness('loans', 'applicants', 'gender') -> 'groups') x
), f AS (SELECT dm_fairness('loans', 'applicants', 'gender') AS f)
SELECT abs((f ->> 'demographic_parity_difference')::float8 - (max(sel) - min(sel))) < 1e-12 AS dp,
       abs((f ->> 'demographic_parity_ratio')::float8 - min(sel) / max(sel)) < 1e-12 AS dp_ratio,
       abs((f ->> 'equal_opportunity_difference')::float8 - (max(tpr) - min(tpr))) < 1e-12 AS eop,
       abs((f ->> 'equalized_odds_difference')::float8 - greatest(max(tpr) - min(tpr), max(fpr) - min(fpr))) < 1e-12 AS eo
FROM g, f GROUP BY f.f;

-- Two sensitive columns: their intersections, each with its count.
SELECT count(*) AS groups, sum((g ->> 'rows')::int) AS rows
FROM jsonb_array_elements(dm_fairness('loans', 'applicants', ARRAY['gender', 'band']) -> 'groups') g;
SELECT g -> 'group' AS first_group, g ->> 'rows' AS rows
FROM jsonb_array_elements(dm_fairness('loans', 'applicants', ARRAY['gender', 'band']) -> 'groups') g LIMIT 1;
-- On the model's own test rows only, the counts are those of the test rows.
SELECT (f -> 'overall' ->> 'rows')::int = (m.split ->> 'test')::int AS test_rows_only, f ->> 'rows_selected' AS selected
FROM dm.models m, dm_fairness('loans', 'applicants', 'gender', rows => 'test') f WHERE m.name = 'loans';
-- The other class as the positive one: selection rates add up to one.
SELECT bool_and(abs((a ->> 'selection_rate')::float8 + (b ->> 'selection_rate')::float8 - 1) < 1e-12) AS complementary
FROM jsonb_array_elements(dm_fairness('loans', 'applicants', 'gender') -> 'groups') WITH ORDINALITY x(a, i)
JOIN jsonb_array_elements(dm_fairness('loans', 'applicants', 'gender', 'false') -> 'groups') WITH ORDINALITY y(b, j) ON i = j;

SET client_min_messages = warning;
-- Errors, each named.
\set VERBOSITY terse
SELECT dm_fairness('loans', 'applicants', 'nope');
SELECT dm_fairness('loans', 'applicants', ARRAY['gender', NULL]);
SELECT dm_fairness('loans', 'applicants', ARRAY[]::text[]);
SELECT dm_fairness('loans', 'applicants', ARRAY['gender', 'gender']);
SELECT dm_fairness('loans', 'applicants', 'id');
SELECT dm_fairness('loans', 'applicants', 'gender', 'maybe');
SELECT dm_fairness('loans', 'applicants', NULL::text);
SELECT dm_fairness('loans', 'applicants', 'gender', rows => 'nope');
SELECT version FROM dm_train('loans_income', 'SELECT debt, income FROM applicants', 'income', 'linear_regression');
SELECT dm_fairness('loans_income@1', 'applicants', 'gender');
\set VERBOSITY default

-- A role without the score privilege is refused.
CREATE ROLE dm_fair_reader;
GRANT SELECT ON applicants TO dm_fair_reader;
SET ROLE dm_fair_reader;
\set VERBOSITY terse
SELECT dm_fairness('loans', 'applicants', 'gender');
\set VERBOSITY default
RESET ROLE;

SELECT n, dm_drop_model(n) FROM unnest(ARRAY['loans', 'loans_income']) n;
DROP TABLE applicants;
DROP ROLE dm_fair_reader;
