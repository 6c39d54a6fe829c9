-- The objects the client checks query: a scored view (Power BI) and typed predict functions (Tableau).
SET client_min_messages = warning;
CREATE OR REPLACE VIEW customers_scored AS
SELECT c.id, c.plan, dm_predict_label('churn', c) AS churn_pred, (dm_predict_proba('churn', c))[2] AS churn_p
FROM customers c;
SELECT dm_create_predict_function('churn', replace => true);
SELECT dm_create_predict_function('price', 'predict_price', replace => true);
