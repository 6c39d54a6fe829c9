-- Prediction intervals (issue 18, item 11): a regression keeps its test rows' residuals and
-- dm_predict_interval gives split-conformal intervals that cover new rows at 1 - alpha; the
-- quantile loss of gradient boosting predicts a quantile.
SET client_min_messages = warning;

-- Prices whose noise grows with size; 10,000 rows to train on (2,000 test rows calibrate), 20,000
-- new ones.
CREATE TABLE homes AS
SELECT i AS id, (i * 7919 % 1000)::float8 / 10 AS size, (i * 13 % 7)::float8 AS rooms,
       50 + 3 * (i * 7919 % 1000)::float8 / 10 + 4 * (i * 13 % 7)
         + ((i::bigint * 104729 % 10007)::float8 / 10007 - 0.5) * (10 + (i * 7919 % 1000)::float8 / 10) AS price
FROM generate_series(1, 30000) i;
CREATE VIEW homes_train AS SELECT size, rooms, price FROM homes WHERE id <= 10000;
CREATE VIEW homes_new AS SELECT size, rooms, price FROM homes WHERE id > 10000;

SELECT version FROM dm_train('price_lin', 'homes_train', 'price', 'linear_regression');
SELECT metrics -> 'interval' ->> 'calibrated_on' AS calibrated_on, metrics -> 'interval' ->> 'residuals' AS residuals,
       round((metrics -> 'interval' -> 'half_width' ->> '0.1')::numeric, 2) AS half_width_90
FROM dm.models WHERE name = 'price_lin';

-- Coverage on 20,000 new rows: within 2 points of 1 - alpha.
SELECT alpha, abs(avg((price BETWEEN i.lower AND i.upper)::int) - (1 - alpha)) < 0.02 AS covers
FROM homes_new h, unnest(ARRAY[0.05, 0.1, 0.2]) alpha, LATERAL dm_predict_interval('price_lin', h, alpha) i
GROUP BY alpha ORDER BY alpha;
-- dm_evaluate says the same on any relation.
SELECT k AS alpha, abs((v::text)::float8 - (1 - k::float8)) < 0.02 AS covers
FROM jsonb_each(dm_evaluate('price_lin', 'homes_new', rows => 'unseen') -> 'interval_coverage') AS e(k, v) ORDER BY k;
-- The interval is centred on dm_predict; a field alone, or the whole row.
SELECT abs((dm_predict_interval('price_lin', ROW(50.0::float8, 3.0::float8))).prediction
           - dm_predict('price_lin', ROW(50.0::float8, 3.0::float8))) < 1e-9 AS centred,
       (i).upper - (i).prediction = (i).prediction - (i).lower AS symmetric
FROM (SELECT dm_predict_interval('price_lin', '{"size": 50, "rooms": 3}'::jsonb, 0.1) AS i) s;

-- A boosted model's intervals cover too.
SELECT version FROM dm_train('price_gb', 'homes_train', 'price', 'gradient_boosting', '{"n_estimators": 60}');
SELECT abs(avg((price BETWEEN i.lower AND i.upper)::int) - 0.9) < 0.02 AS covers_90
FROM homes_new h, LATERAL dm_predict_interval('price_gb', h) i;
SELECT round(avg((price BETWEEN i.lower AND i.upper)::int), 2) AS coverage_90
FROM homes_new h, LATERAL dm_predict_interval('price_gb', h) i;

-- Quantile loss: the 0.9 model's predictions lie above about 90% of new prices, the 0.1 model's
-- above about 10%; absolute_error predicts the median.
SELECT version FROM dm_train('price_q90', 'homes_train', 'price', 'gradient_boosting', '{"loss": "quantile", "quantile": 0.9, "n_estimators": 60}');
SELECT version FROM dm_train('price_q10', 'homes_train', 'price', 'gradient_boosting', '{"loss": "quantile", "quantile": 0.1, "n_estimators": 60}');
SELECT version FROM dm_train('price_med', 'homes_train', 'price', 'gradient_boosting', '{"loss": "absolute_error", "n_estimators": 60}');
SELECT m, abs(avg((price <= dm_predict(m, h))::int) - q) < 0.03 AS at_its_quantile
FROM homes_new h, (VALUES ('price_q90', 0.9), ('price_q10', 0.1), ('price_med', 0.5)) v(m, q)
GROUP BY m, q ORDER BY m;
SELECT hyperparams -> 'GradientBoosting' ->> 'loss' AS loss, hyperparams -> 'GradientBoosting' ->> 'quantile' AS quantile
FROM dm.models WHERE name IN ('price_q90', 'price_gb') ORDER BY name;

-- Errors, each named.
\set VERBOSITY terse
SELECT dm_predict_interval('price_lin', ROW(50.0::float8, 3.0::float8), 0);
SELECT dm_predict_interval('price_lin', ROW(50.0::float8, 3.0::float8), 1);
SELECT dm_predict_interval('price_lin', ROW(50.0::float8, 3.0::float8), 'NaN');
SELECT dm_predict_interval('price_lin', ROW(50.0::float8, 3.0::float8), 0.0001);
SELECT dm_predict_interval('price_lin', ROW(50.0::float8, 3.0::float8), NULL) IS NULL AS null_alpha_null_result;
SELECT version FROM dm_train('price_all', 'homes_train', 'price', 'linear_regression', options => '{"split": {"test_size": 0}, "deploy": "never"}');
SELECT dm_predict_interval('price_all@1', ROW(50.0::float8, 3.0::float8));
SELECT version FROM dm_train('cheap', 'SELECT size, rooms, price > 200 AS cheap FROM homes_train', 'cheap', 'logistic_regression');
SELECT dm_predict_interval('cheap', ROW(50.0::float8, 3.0::float8));
SELECT dm_train('bad_q', 'homes_train', 'price', 'gradient_boosting', '{"loss": "quantile"}');
SELECT dm_train('bad_q', 'homes_train', 'price', 'gradient_boosting', '{"loss": "quantile", "quantile": 1.5}');
SELECT dm_train('bad_q', 'homes_train', 'price', 'gradient_boosting', '{"loss": "huber"}');
SELECT dm_train('bad_q', 'SELECT size, price > 200 AS cheap FROM homes_train', 'cheap', 'gradient_boosting', '{"loss": "quantile", "quantile": 0.5}');
\set VERBOSITY default

-- A role without the score privilege is refused.
CREATE ROLE dm_interval_reader;
SET ROLE dm_interval_reader;
\set VERBOSITY terse
SELECT dm_predict_interval('price_lin', ROW(50.0::float8, 3.0::float8));
\set VERBOSITY default
RESET ROLE;

SELECT n, dm_drop_model(n) FROM unnest(ARRAY['price_lin', 'price_gb', 'price_q90', 'price_q10', 'price_med', 'price_all', 'cheap']) n;
DROP VIEW homes_train, homes_new;
DROP TABLE homes;
DROP ROLE dm_interval_reader;
