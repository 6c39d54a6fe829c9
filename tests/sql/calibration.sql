-- Calibration (issue 18, item 4): options.calibration fits a sigmoid or isotonic map on held-out
-- probabilities (the validation rows, or out-of-fold ones), never the test rows; it lowers the
-- Brier score of an overconfident model, and every way of scoring uses it. dm_calibration_curve
-- is scikit-learn's calibration_curve (the unit tests match it, and the maps, on a fixture).
SET client_min_messages = warning;

-- One signal copied into five noisy columns: naive Bayes counts it five times (overconfident).
CREATE TABLE signals AS
SELECT i AS id, s + 0.05 * (((i * 31) % 101)::float8 / 101 - 0.5) AS x1, s + 0.05 * (((i * 37) % 103)::float8 / 103 - 0.5) AS x2,
       s + 0.05 * (((i * 41) % 107)::float8 / 107 - 0.5) AS x3, s + 0.05 * (((i * 43) % 109)::float8 / 109 - 0.5) AS x4,
       s + 0.05 * (((i * 47) % 113)::float8 / 113 - 0.5) AS x5,
       ((i::bigint * 2654435761) % 10007)::float8 / 10007 < 1 / (1 + exp(-2 * s)) AS positive
FROM (SELECT i, ((i::bigint * 7919) % 10007)::float8 / 10007 * 2 - 1 AS s FROM generate_series(1, 4000) i) g;
CREATE VIEW signals_x AS SELECT x1, x2, x3, x4, x5, positive FROM signals;

SELECT version FROM dm_train('nb_plain', 'signals_x', 'positive', 'naive_bayes');
SELECT version FROM dm_train('nb_sigmoid', 'signals_x', 'positive', 'naive_bayes', options => '{"calibration": "sigmoid"}');
SELECT version FROM dm_train('nb_isotonic', 'signals_x', 'positive', 'naive_bayes', options => '{"calibration": "isotonic", "split": {"validation_size": 0.2}}');

-- The test rows' Brier score and log loss drop; where each map was fitted.
SELECT name, round((metrics -> 'test' ->> 'brier')::numeric, 4) AS brier, round((metrics -> 'test' ->> 'log_loss')::numeric, 4) AS log_loss,
       metrics -> 'calibration' ->> 'method' AS method, metrics -> 'calibration' ->> 'fitted_on' AS fitted_on,
       calibration ->> 'method' AS stored
FROM dm.models WHERE name LIKE 'nb_%' ORDER BY name;
SELECT c.name, (c.metrics -> 'test' ->> 'brier')::float8 < (p.metrics -> 'test' ->> 'brier')::float8 - 0.005 AS lower_brier
FROM dm.models c, dm.models p WHERE c.name IN ('nb_sigmoid', 'nb_isotonic') AND p.name = 'nb_plain' ORDER BY c.name;

-- Scoring uses the calibration: dm_evaluate on the model's own test rows gives the stored
-- numbers again, labels are the most probable calibrated class.
SELECT m.name, abs((dm_evaluate(m.name, 'signals_x', rows => 'test') ->> 'log_loss')::float8 - (m.metrics -> 'test' ->> 'log_loss')::float8) < 1e-12 AS same_log_loss
FROM dm.models m WHERE m.name LIKE 'nb_%' ORDER BY m.name;
SELECT bool_and(dm_predict_label('nb_sigmoid', s)::boolean = ((dm_predict_proba('nb_sigmoid', s))[2] >= 0.5)) AS labels_follow_probabilities,
       bool_and(abs((dm_predict_proba('nb_sigmoid', s))[1] + (dm_predict_proba('nb_sigmoid', s))[2] - 1) < 1e-12) AS sum_to_one
FROM signals_x s;

-- The reliability curve: the calibrated model's points lie nearer the diagonal (expected
-- calibration error on the test rows, from the curve's bins).
WITH ece AS (
  SELECT m AS name, sum(c.count * abs(c.fraction_positive - c.mean_predicted)) / sum(c.count) AS ece
  FROM unnest(ARRAY['nb_plain', 'nb_sigmoid', 'nb_isotonic']) m, LATERAL dm_calibration_curve(m, 'signals_x', 10, rows => 'test') c
  GROUP BY m
)
SELECT name, ece < (SELECT ece FROM ece WHERE name = 'nb_plain') OR name = 'nb_plain' AS nearer_the_diagonal FROM ece ORDER BY name;
SELECT count(*) AS bins, sum(count) AS rows, bool_and(mean_predicted BETWEEN 0 AND 1) AS in_range
FROM dm_calibration_curve('nb_plain', 'signals_x', 5, 'quantile');
SELECT bin, count FROM dm_calibration_curve('nb_plain', 'signals_x', 4, 'quantile', 'false', rows => 'test') ORDER BY bin;

-- With a decision threshold too: tuned on the calibrated held-out probabilities.
SELECT version, metrics -> 'threshold' ->> 'tuned_on' AS tuned_on, metrics -> 'calibration' ->> 'method' AS method
FROM dm_train('nb_both', 'signals_x', 'positive', 'naive_bayes', options => '{"calibration": "isotonic", "threshold": {"optimize": "f1"}}');

-- Errors, each named.
\set VERBOSITY terse
SELECT dm_train('bad_cal', 'signals_x', 'positive', 'naive_bayes', options => '{"calibration": "platt"}');
SELECT dm_train('bad_cal', 'SELECT x1, x2, (id % 3)::text AS k FROM signals', 'k', 'naive_bayes', options => '{"calibration": "sigmoid"}');
SELECT dm_train('bad_cal', 'SELECT x1, x2 FROM signals', 'x2', 'linear_regression', options => '{"calibration": "sigmoid"}');
SELECT dm_train('bad_cal', 'SELECT x1, x2 FROM signals', NULL, 'kmeans', options => '{"calibration": "sigmoid"}');
SELECT * FROM dm_calibration_curve('nb_plain', 'signals_x', 0);
SELECT * FROM dm_calibration_curve('nb_plain', 'signals_x', 10, 'even');
SELECT * FROM dm_calibration_curve('nb_plain', 'signals_x', NULL);
SELECT * FROM dm_calibration_curve('nb_plain', 'signals_x', 10, 'uniform', 'maybe');
SELECT version FROM dm_train('x_reg', 'SELECT x1, x2 FROM signals', 'x2', 'linear_regression');
SELECT * FROM dm_calibration_curve('x_reg', 'SELECT x1, x2 FROM signals');
\set VERBOSITY default

SELECT n, dm_drop_model(n) FROM unnest(ARRAY['nb_plain', 'nb_sigmoid', 'nb_isotonic', 'nb_both', 'x_reg']) n;
DROP VIEW signals_x;
DROP TABLE signals;
