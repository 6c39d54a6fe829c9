-- Explanations for every classification and regression model (issue 19, items 5 and 6):
-- exact linear contributions, sampling Shapley values for the rest, top_k, and the rows form
-- dm_attributions in a (forced) parallel plan. Every explanation adds up to the output.
SET client_min_messages = warning;
SELECT CASE WHEN current_setting('server_version_num')::int >= 160000 THEN 'debug_parallel_query'
            ELSE 'force_parallel_mode' END AS force_parallel \gset
DROP TABLE IF EXISTS ex;
CREATE TABLE ex AS
SELECT i AS id, (i % 17)::float8 AS a, ((i * 7) % 23)::float8 AS b, ((i * 13) % 11)::float8 AS c,
       (ARRAY['x', 'y', 'z'])[i % 3 + 1] AS d,
       CASE WHEN (i % 17) + ((i * 7) % 23) / 2.0 + CASE WHEN i % 3 = 2 THEN 6 ELSE 0 END > 14 THEN 'yes' ELSE 'no' END AS label,
       3.0 * (i % 17) - 2.0 * ((i * 7) % 23) + ((i * 13) % 11) + CASE WHEN i % 3 = 1 THEN 5 ELSE 0 END AS v
FROM generate_series(1, 600) i;
SELECT m, (SELECT count(*) FROM dm_train(m, 'SELECT a, b, c, d, ' || t || ' FROM ex', t, al)) AS trained
FROM (VALUES ('ex_lin', 'v', 'linear_regression'), ('ex_log', 'label', 'logistic_regression'),
             ('ex_knn', 'label', 'knn'), ('ex_nb', 'label', 'naive_bayes'), ('ex_svr', 'v', 'svr'),
             ('ex_rf', 'label', 'random_forest')) AS x(m, t, al);

-- The method per model, and base + contributions = the output (value, log-odds, probability).
CREATE FUNCTION ex_total(e jsonb) RETURNS float8 LANGUAGE sql AS $$
  SELECT (e ->> 'base')::float8 + (SELECT sum((c ->> 'contribution')::float8) FROM jsonb_array_elements(e -> 'contributions') c) $$;
SELECT m, e ->> 'method' AS method, e ->> 'output' AS output,
       round(abs(ex_total(e) - coalesce((e ->> 'value')::float8, (e ->> 'log_odds')::float8, (e ->> 'probability')::float8))::numeric, 9) AS off,
       jsonb_array_length(e -> 'contributions') AS features, e -> 'permutations' AS permutations
FROM (VALUES ('ex_lin'), ('ex_log'), ('ex_knn'), ('ex_nb'), ('ex_svr'), ('ex_rf')) AS x(m),
     LATERAL (SELECT dm_explain(m, t) AS e FROM ex t WHERE id = 7) s
ORDER BY m;
-- The output explained is the model's own: the value, and the probability dm_predict_proba gives.
SELECT round(abs((dm_explain('ex_lin', t) ->> 'value')::float8 - dm_predict('ex_lin', t))::numeric, 9) AS lin_off,
       round(abs((dm_explain('ex_knn', t) ->> 'probability')::float8 - (dm_predict_proba('ex_knn', t))[2])::numeric, 9) AS knn_off,
       round(abs((dm_explain('ex_log', t) ->> 'probability')::float8 - (dm_predict_proba('ex_log', t))[2])::numeric, 9) AS log_off
FROM ex t WHERE id = 7;

-- top_k: the k largest, each with the row's value of the feature.
SELECT jsonb_pretty(dm_explain('ex_lin', t, top_k => 2) -> 'contributions' #- '{0,contribution}' #- '{1,contribution}')
FROM ex t WHERE id = 7;

-- The rows form over a relation, in a forced parallel plan: the same rows as serially.
CREATE TABLE ex_serial AS
SELECT t.id, a.* FROM ex t CROSS JOIN LATERAL dm_attributions('ex_log', t, 2) a WHERE t.id <= 40;
SET :force_parallel = on;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
SELECT count(*) AS rows, count(*) FILTER (WHERE p.contribution = s.contribution AND p.feature = s.feature) AS same
FROM (SELECT t.id, a.* FROM ex t CROSS JOIN LATERAL dm_attributions('ex_log', t, 2) a WHERE t.id <= 40) p
JOIN ex_serial s USING (id, rank);
RESET :force_parallel; RESET parallel_setup_cost; RESET parallel_tuple_cost;
SELECT rank, feature, value, round(contribution::numeric, 6) AS contribution, class
FROM ex t CROSS JOIN LATERAL dm_attributions('ex_knn', t) a WHERE t.id = 7;

-- Refusals, and a version without a background (trained before 0.4.0) asks for a retrain.
SELECT err($$SELECT dm_explain('ex_lin', t, top_k => 0) FROM ex t WHERE id = 7$$);
SELECT err($$SELECT * FROM dm_attributions('ex_lin', (SELECT t FROM ex t WHERE id = 7), -2)$$);
SELECT count(*) FROM dm_train('ex_km', 'SELECT a, b FROM ex', NULL, 'kmeans');
SELECT err($$SELECT dm_explain('ex_km', t) FROM ex t WHERE id = 7$$);
SELECT dm_explain(NULL, ROW(1)) IS NULL AS null_model, dm_explain('ex_lin', NULL::ex) IS NULL AS null_row;
UPDATE dm.models SET background = NULL WHERE name = 'ex_knn';
SELECT err($$SELECT dm_explain('ex_knn', t) FROM ex t WHERE id = 7$$);
