SELECT id, churn_pred, round(churn_p::numeric, 6) FROM customers_scored WHERE id IN (3, 12, 99, 1500) ORDER BY id
SELECT predict_churn(42, 'pro', 7, 50.5, 2, date '2024-05-01')::text, round(predict_price(10, 3, 'north')::numeric, 6)
SELECT plan, count(*) FILTER (WHERE churn_pred = 'true') FROM customers_scored GROUP BY plan ORDER BY plan
