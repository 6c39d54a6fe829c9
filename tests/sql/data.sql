-- Shared fixtures for the scenario tests (run first; the database is kept across tests).
SET client_min_messages = warning;
-- err(query): runs a statement and returns its SQLSTATE and message (or 'no error'), so the
-- error-case tests show both and go on.
CREATE FUNCTION err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE q;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
-- A churn-like table: mixed types, NULLs, a learnable rule, exact duplicates.
CREATE TABLE customers AS
SELECT i AS id,
       18 + (i * 7) % 60 AS age,
       (ARRAY['basic', 'plus', 'pro'])[1 + i % 3] AS plan,
       (i * 13) % 72 AS tenure,
       round(((i * 37) % 1000) / 10.0, 1) AS monthly_spend,
       CASE WHEN i % 17 = 0 THEN NULL ELSE (i * 11) % 9 END AS support_calls,
       date '2024-01-01' + (i % 365) AS signup_date,
       ((i * 13) % 72 < 12 AND (i * 11) % 9 > 3) OR (i % 3 = 0 AND (i * 13) % 72 < 24) AS churned
FROM generate_series(1, 2000) i;
-- A regression table: y = 2a - 3b + 5 + (plan effect) + small deterministic noise.
CREATE TABLE houses AS
SELECT i AS id,
       (i % 50)::float8 AS a,
       ((i * 7) % 30)::real AS b,
       (ARRAY['north', 'south'])[1 + i % 2]::varchar(10) AS region,
       2 * (i % 50) - 3 * ((i * 7) % 30) + 5 + CASE WHEN i % 2 = 0 THEN 10 ELSE 0 END + ((i * 31) % 7 - 3) * 0.01 AS price
FROM generate_series(1, 1000) i;
SELECT count(*) AS customers, sum(churned::int) AS churned FROM customers;
SELECT count(*) AS houses FROM houses;
