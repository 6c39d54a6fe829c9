-- Support vector machines through dm_train: svm (classes; kernels, class_weight, Platt
-- probabilities) and svr (values), standard-scaled by default; the stored model scores the same
-- after the catalog round trip; bad hyperparameters and the row cap.
SET client_min_messages = warning;
SELECT model, task, algorithm, (metrics -> 'test' ->> 'accuracy')::float8 > 0.9 AS accurate,
       (metrics -> 'fit' ->> 'support_vectors')::int BETWEEN 10 AND 1600 AS support_vectors
FROM dm_train('churn_svm', 'customers', 'churned', 'svm', '{"C": 10}', '{"exclude": ["id", "signup_date"]}');
SELECT hyperparams FROM dm.models WHERE name = 'churn_svm';
SELECT dm_predict_label('churn_svm', c) AS predicted, churned::text AS actual, count(*)
FROM customers c GROUP BY 1, 2 ORDER BY 1, 2;
SELECT abs((SELECT sum(p) FROM unnest(dm_predict_proba('churn_svm', c)) p) - 1) < 1e-9 AS sums_to_one
FROM customers c WHERE id = 3;
SELECT (m ->> 'roc_auc')::float8 > 0.95 AS ranks_well FROM dm_evaluate('churn_svm', 'customers') m;
-- Kept in a table: a new session reads the model back from dm.models.
CREATE TABLE svm_scores AS
SELECT id, dm_predict('churn_svm', c) AS p, dm_predict_proba('churn_svm', c) AS pr FROM customers c;
\c
SET client_min_messages = warning;
SELECT count(*) AS rows, count(*) FILTER (WHERE s.p IS DISTINCT FROM dm_predict('churn_svm', c)
                                          OR s.pr IS DISTINCT FROM dm_predict_proba('churn_svm', c)) AS changed
FROM svm_scores s JOIN customers c USING (id);
-- Other kernels; class_weight balanced; without probabilities the voted class gets 1.
SELECT model, (metrics -> 'test' ->> 'accuracy')::float8 > 0.8 AS accurate
FROM dm_train('churn_svm_linear', 'customers', 'churned', 'svm', '{"kernel": "linear", "probability": false}',
              '{"exclude": ["id", "signup_date"]}');
SELECT dm_predict_proba('churn_svm_linear', c) IN ('{0,1}', '{1,0}') AS one_hot FROM customers c WHERE id = 5;
SELECT model, (metrics -> 'test' ->> 'accuracy')::float8 > 0.85 AS accurate
FROM dm_train('churn_svm_poly', 'customers', 'churned', 'svm', '{"kernel": "poly", "degree": 2, "coef0": 1, "C": 10}',
              '{"exclude": ["id", "signup_date"]}');
SELECT (b.metrics -> 'test' ->> 'recall')::float8 >= (p.metrics -> 'test' ->> 'recall')::float8 AS balanced_recalls_more
FROM dm_train('churn_svm_bal', 'customers', 'churned', 'svm', '{"class_weight": "balanced", "probability": false}',
              '{"exclude": ["id", "signup_date"]}') b,
     dm_train('churn_svm_plain', 'customers', 'churned', 'svm', '{"probability": false}',
              '{"exclude": ["id", "signup_date"]}') p;
-- svr: epsilon-insensitive regression.
SELECT model, task, (metrics -> 'test' ->> 'r2')::float8 > 0.98 AS r2_ok
FROM dm_train('price_svr', 'houses', 'price', 'svr', '{"kernel": "linear", "C": 10, "epsilon": 0.05}', '{"exclude": ["id"]}');
SELECT round(dm_predict('price_svr', h)::numeric, 0) AS predicted, round(price::numeric, 0) AS actual
FROM houses h WHERE id IN (10, 11) ORDER BY id;
-- Bad input: each names the hyperparameter.
SELECT err($$SELECT * FROM dm_train('x', 'customers', 'churned', 'svm', '{"C": 0}')$$);
SELECT err($$SELECT * FROM dm_train('x', 'customers', 'churned', 'svm', '{"gamma": -1}')$$);
SELECT err($$SELECT * FROM dm_train('x', 'customers', 'churned', 'svm', '{"kernel": "cubic"}')$$);
SELECT err($$SELECT * FROM dm_train('x', 'customers', 'churned', 'svm', '{"class_weight": "skewed"}')$$);
SELECT err($$SELECT * FROM dm_train('x', 'customers', 'churned', 'svm', '{"epsilon": 0.1}')$$);
SELECT err($$SELECT * FROM dm_train('x', 'customers', 'churned', 'svm', '{"max_train_rows": 1000}', '{"exclude": ["id", "signup_date"]}')$$);
SELECT err($$SELECT * FROM dm_train('x', 'houses', 'price', 'svm')$$);
SELECT err($$SELECT * FROM dm_train('x', 'customers', 'churned', 'svr')$$);
