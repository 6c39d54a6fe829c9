-- The imbalanced walkthrough of sql/docs/evaluation.md, run as written: every number the page
-- quotes is printed here (issue 18: the docs walk a user through an imbalanced problem).
SET client_min_messages = warning;

-- 4,000 customers, one row a month for five months; about 2.6% of the rows churn.
CREATE TABLE churn_w AS
SELECT c AS customer_id, m AS month,
       (ARRAY['north', 'south', 'east', 'west'])[1 + c % 4] AS region,
       ((c * 7919) % 1200)::float8 / 10 AS tenure_months,
       ((c * 31 + m * 7) % 9)::float8 AS complaints,
       20 + ((c::bigint * 104729 + m * 7919) % 18000)::float8 / 100 AS monthly_spend,
       ((c::bigint * 2654435761 + m * 97) % 10007)::float8 / 10007
         < 1 / (1 + exp(5.6 - 0.55 * ((c * 31 + m * 7) % 9) + 0.02 * ((c * 7919) % 1200)::float8 / 10)) AS churned
FROM generate_series(1, 4000) c, generate_series(1, 5) m;
CREATE VIEW churn_train AS SELECT customer_id, region, tenure_months, complaints, monthly_spend, churned FROM churn_w WHERE month <= 4;
CREATE VIEW churn_next AS SELECT customer_id, region, tenure_months, complaints, monthly_spend, churned FROM churn_w WHERE month = 5;
SELECT count(*) AS rows, round(avg(churned::int), 3) AS churn_share FROM churn_w;

-- 1. A plain model, each customer on one side of the split: accuracy looks fine, it never
--    predicts a churner, and the run says it is no better than the baseline (not deployed).
SELECT round((metrics -> 'test' ->> 'accuracy')::numeric, 3) AS accuracy,
       round((metrics -> 'baseline' ->> 'accuracy')::numeric, 3) AS baseline_accuracy,
       round((metrics -> 'test' ->> 'balanced_accuracy')::numeric, 3) AS balanced_accuracy,
       round((metrics -> 'test' ->> 'recall')::numeric, 3) AS recall, deployed
FROM dm_train('w_plain', 'churn_train', 'churned', 'gradient_boosting', NULL,
              '{"exclude": ["region"], "split": {"group_by": "customer_id"}}');

-- 2. Balanced class weights: the churners count as much as the rest.
SELECT round((metrics -> 'test' ->> 'balanced_accuracy')::numeric, 3) AS balanced_accuracy,
       round((metrics -> 'test' ->> 'recall')::numeric, 3) AS recall,
       round((metrics -> 'test' ->> 'precision')::numeric, 3) AS precision, deployed
FROM dm_train('w_balanced', 'churn_train', 'churned', 'gradient_boosting', '{"class_weight": "balanced"}',
              '{"exclude": ["region"], "split": {"group_by": "customer_id"}}');

-- 3. Calibrated probabilities and a threshold for the business rule "catch 70% of churners",
--    tuned on out-of-fold predictions, reported on the test rows.
SELECT round((metrics -> 'threshold' ->> 'value')::numeric, 3) AS threshold,
       round((metrics -> 'test' ->> 'recall')::numeric, 3) AS recall,
       round((metrics -> 'test' ->> 'precision')::numeric, 3) AS precision,
       round((metrics -> 'test' ->> 'brier')::numeric, 4) AS brier
FROM dm_train('w_tuned', 'churn_train', 'churned', 'gradient_boosting', NULL,
              '{"exclude": ["region"], "split": {"group_by": "customer_id"},
                "calibration": "isotonic", "threshold": {"recall": 0.7}}');
SELECT round((metrics -> 'test' ->> 'brier')::numeric, 4) AS plain_brier FROM dm.models WHERE name = 'w_plain';

-- 4. Next month, on the rows it never saw, and per region.
SELECT round((e ->> 'recall')::numeric, 3) AS recall, round((e ->> 'precision')::numeric, 3) AS precision,
       e ->> 'training_rows' AS training_rows
FROM dm_evaluate('w_tuned', 'churn_next', rows => 'unseen') e;
SELECT round((f ->> 'equal_opportunity_difference')::numeric, 3) AS equal_opportunity_difference,
       round((f ->> 'demographic_parity_ratio')::numeric, 3) AS demographic_parity_ratio
FROM dm_fairness('w_tuned', 'churn_next', 'region', rows => 'unseen') f;

SELECT n, dm_drop_model(n) FROM unnest(ARRAY['w_plain', 'w_balanced', 'w_tuned']) n;
DROP VIEW churn_train, churn_next;
DROP TABLE churn_w;
