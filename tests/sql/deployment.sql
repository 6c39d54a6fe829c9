-- Deployment inside the database: scoring triggers, typed predict functions, cross-session
-- deploys, drift.
SET client_min_messages = warning;

-- A scoring trigger fills columns of several types on INSERT and UPDATE.
SELECT version FROM dm_train('fraud', 'SELECT age, plan, tenure, churned FROM customers', 'churned', 'logistic_regression');
SELECT version FROM dm_train('spend', 'SELECT age, plan, tenure, monthly_spend FROM customers', 'monthly_spend', 'linear_regression');
CREATE TABLE orders (id serial PRIMARY KEY, age int, plan text, tenure int, note text,
                     flagged boolean, flagged_label text, flagged_proba real[], spend numeric, spend_rounded int);
CREATE TRIGGER score_flag BEFORE INSERT OR UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION dm_score_trigger('fraud', 'flagged');
CREATE TRIGGER score_label BEFORE INSERT OR UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION dm_score_trigger('fraud', 'flagged_label', 'label');
CREATE TRIGGER score_proba BEFORE INSERT OR UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION dm_score_trigger('fraud', 'flagged_proba', 'proba');
CREATE TRIGGER score_spend BEFORE INSERT OR UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION dm_score_trigger('spend', 'spend');
CREATE TRIGGER score_spend_int BEFORE INSERT OR UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION dm_score_trigger('spend', 'spend_rounded');
INSERT INTO orders (age, plan, tenure) VALUES (30, 'pro', 3), (60, 'basic', 70), (NULL, NULL, NULL);
SELECT o.id, o.flagged, o.flagged_label, array_length(o.flagged_proba, 1) AS n_proba,
       o.flagged = (dm_predict('fraud', ROW(o.age, o.plan, o.tenure)) = 1) AS same_as_select,
       round(o.spend, 6) = round(dm_predict('spend', ROW(o.age, o.plan, o.tenure))::numeric, 6) AS spend_matches,
       o.spend_rounded = round(o.spend) AS rounded
FROM orders o ORDER BY id;
UPDATE orders SET tenure = 1, plan = 'pro' WHERE id = 2;
SELECT id, flagged_label, flagged = (dm_predict('fraud', ROW(age, plan, tenure)) = 1) AS rescored FROM orders WHERE id = 2;
-- Bulk loads: INSERT ... SELECT with dm_predict in the SELECT list needs no trigger.
CREATE TABLE scored AS SELECT id, dm_predict_label('fraud', c) AS flagged FROM customers c;
SELECT flagged, count(*) FROM scored GROUP BY flagged ORDER BY flagged;

-- A scored table's row type changes (ALTER TABLE) between statements of one session: the
-- cached row layout is dropped, and the next statement reads the new columns.
CREATE TABLE visits (tenure int, age int, plan text);
INSERT INTO visits VALUES (3, 30, 'pro'), (70, 60, 'basic');
SELECT age, dm_predict_label('fraud', v) AS label, dm_predict_label('fraud', v) = dm_predict_label('fraud', ROW(v.age, v.plan, v.tenure)) AS same FROM visits v ORDER BY age;
ALTER TABLE visits DROP COLUMN tenure;
ALTER TABLE visits ADD COLUMN tenure int DEFAULT 70;
SELECT age, tenure, dm_predict_label('fraud', v) AS label, dm_predict_label('fraud', v) = dm_predict_label('fraud', ROW(v.age, v.plan, v.tenure)) AS same FROM visits v ORDER BY age;
ALTER TABLE visits DROP COLUMN age;
SELECT err($$SELECT dm_predict('fraud', v) FROM visits v$$);

-- A model of numbers only scores a row straight from its columns; the result is the one the
-- general path (jsonb) gives, NULLs take the stored fill, NaN is an ERROR as there.
SELECT version FROM dm_train('ab', 'SELECT a, b, price FROM houses', 'price', 'ridge');
SELECT count(*) AS rows,
       count(*) FILTER (WHERE dm_predict('ab', ROW(a, b)) = dm_predict('ab', jsonb_build_object('a', a, 'b', b))) AS same
FROM houses;
SELECT dm_predict('ab', ROW(NULL::float8, 3.0::real)) = dm_predict('ab', '{"a": null, "b": 3}'::jsonb) AS null_filled;
SELECT err($$SELECT dm_predict('ab', ROW('NaN'::float8, 3.0::real))$$);
-- Read from fixed offsets in the row (columns of several widths and alignments, the bytes of
-- a column dropped after the rows were written): the same as the jsonb path. Then rows the
-- fixed offsets do not fit — written before a column was added, written after the drop
-- (NULL in its place), with NULLs — take the general path, with the same results.
CREATE TABLE fx (s smallint, gone int, f real, d float8, g int, b boolean, price float8);
INSERT INTO fx SELECT i % 7, i, (i % 13) / 4.0, (i * 37 % 101) / 10.0, i % 5, i % 3 = 0,
                      (i % 7) * 3 + (i % 13) / 2.0 + i % 5 + (i % 3 = 0)::int * 5 + i % 11
FROM generate_series(1, 300) i;
ALTER TABLE fx DROP COLUMN gone;
SELECT version FROM dm_train('fx', 'fx', 'price', 'ridge');
CREATE FUNCTION pg_temp.fx_same() RETURNS TABLE(rows bigint, same bigint) LANGUAGE sql AS $$
  SELECT count(*),
         count(*) FILTER (WHERE dm_predict('fx', t) = dm_predict('fx', jsonb_build_object('s', s, 'f', f, 'd', d, 'g', g, 'b', b)))
  FROM fx t $$;
SELECT * FROM pg_temp.fx_same();
ALTER TABLE fx ADD COLUMN note text;
INSERT INTO fx SELECT i % 7, (i % 13) / 4.0, i / 10.0, i % 5, i % 3 = 0, i * 2.0, 'new' FROM generate_series(301, 400) i;
INSERT INTO fx (s, f, d, g, b) VALUES (NULL, 1.5, 2.5, 3, true), (2, NULL, 2.5, 3, false);
SELECT * FROM pg_temp.fx_same();
-- One call site, the model name changing from row to row: each row scores with its own model.
SELECT m, round(dm_predict(m, ROW(30, 'pro'::text, 3))::numeric, 4) = round(dm_predict(m || '', ROW(30, 'pro'::text, 3))::numeric, 4) AS own_model
FROM (VALUES ('fraud'), ('spend'), ('fraud'), ('spend')) v(m);
SELECT count(DISTINCT round(dm_predict(m, ROW(30, 'pro'::text, 3))::numeric, 4)) AS two_answers
FROM (VALUES ('fraud'), ('spend'), ('fraud'), ('spend')) v(m);
-- One call site in PL/pgSQL whose name is a variable that changes between calls (a parameter,
-- not a literal): each call scores with its own model.
DO $$
DECLARE m text; got float8; want float8;
BEGIN
  FOREACH m IN ARRAY ARRAY['fraud', 'spend', 'fraud', 'spend'] LOOP
    got := dm_predict(m, ROW(30, 'pro'::text, 3));
    EXECUTE format('SELECT dm_predict(%L, ROW(30, %L::text, 3))', m, 'pro') INTO want;
    IF got IS DISTINCT FROM want THEN
      RAISE EXCEPTION 'model % scored % through a variable, % through a literal', m, got, want;
    END IF;
  END LOOP;
END $$;
-- A float8[] is read in place the same way.
SELECT count(*) FILTER (WHERE dm_predict('ab', ARRAY[a, b::float8]) = dm_predict('ab', ROW(a, b))) AS same_as_row
FROM houses;
SELECT dm_predict('ab', ARRAY[NULL, 3.0]::float8[]) = dm_predict('ab', ROW(NULL::float8, 3.0::real)) AS null_filled;
SELECT err($$SELECT dm_predict('ab', ARRAY['Infinity', 3.0]::float8[])$$);
SELECT err($$SELECT dm_predict('ab', ARRAY[1.0, 2.0, 3.0]::float8[])$$);

-- Trigger errors: missing column, missing model, wrong column type, table missing a feature.
CREATE TABLE orders2 (age int, plan text, tenure int, flagged boolean, p float8[]);
CREATE TRIGGER t BEFORE INSERT ON orders2 FOR EACH ROW EXECUTE FUNCTION dm_score_trigger('fraud', 'nope');
SELECT err($$INSERT INTO orders2 (age, plan, tenure) VALUES (1, 'pro', 1)$$);
DROP TRIGGER t ON orders2;
CREATE TRIGGER t BEFORE INSERT ON orders2 FOR EACH ROW EXECUTE FUNCTION dm_score_trigger('no_such_model', 'flagged');
SELECT err($$INSERT INTO orders2 (age, plan, tenure) VALUES (1, 'pro', 1)$$);
DROP TRIGGER t ON orders2;
CREATE TRIGGER t BEFORE INSERT ON orders2 FOR EACH ROW EXECUTE FUNCTION dm_score_trigger('fraud', 'p');
SELECT err($$INSERT INTO orders2 (age, plan, tenure) VALUES (1, 'pro', 1)$$);
DROP TRIGGER t ON orders2;
CREATE TRIGGER t BEFORE INSERT ON orders2 FOR EACH ROW EXECUTE FUNCTION dm_score_trigger('fraud', 'flagged', 'proba');
SELECT err($$INSERT INTO orders2 (age, plan, tenure) VALUES (1, 'pro', 1)$$);
DROP TRIGGER t ON orders2;
CREATE TRIGGER t BEFORE INSERT ON orders2 FOR EACH ROW EXECUTE FUNCTION dm_score_trigger('fraud');
SELECT err($$INSERT INTO orders2 (age, plan, tenure) VALUES (1, 'pro', 1)$$);
DROP TRIGGER t ON orders2;
CREATE TABLE orders4 (age int, plan text, tenure int, level int);
SELECT version FROM dm_train('plan_of', 'SELECT age, tenure, plan FROM customers', 'plan', 'decision_tree');
CREATE TRIGGER t BEFORE INSERT ON orders4 FOR EACH ROW EXECUTE FUNCTION dm_score_trigger('plan_of', 'level');
SELECT err($$INSERT INTO orders4 (age, tenure) VALUES (30, 5)$$);
CREATE TABLE orders3 (age int, tenure int, flagged boolean);
CREATE TRIGGER t BEFORE INSERT ON orders3 FOR EACH ROW EXECUTE FUNCTION dm_score_trigger('fraud', 'flagged');
SELECT err($$INSERT INTO orders3 VALUES (1, 1)$$);
CREATE TRIGGER t_after AFTER INSERT ON orders2 FOR EACH ROW EXECUTE FUNCTION dm_score_trigger('fraud', 'flagged');
SELECT err($$INSERT INTO orders2 (age, plan, tenure) VALUES (1, 'pro', 1)$$);
DROP TRIGGER t_after ON orders2;

-- Typed predict functions for BI tools follow the deployed version.
SELECT dm_create_predict_function('fraud');
SELECT dm_create_predict_function('spend', 'public.predicted_spend');
SELECT predict_fraud(30, 'pro', 3) = (SELECT flagged FROM orders WHERE id = 1) AS same_as_trigger,
       round(predicted_spend(30, 'pro', 3), 6) = (SELECT round(spend, 6) FROM orders WHERE id = 1) AS same_spend;
SELECT p.proname, pg_get_function_arguments(p.oid) AS args, pg_get_function_result(p.oid) AS returns
FROM pg_proc p WHERE p.proname IN ('predict_fraud', 'predicted_spend') ORDER BY 1;
SELECT err($$SELECT dm_create_predict_function('fraud')$$);
SELECT dm_create_predict_function('fraud', replace => true);
SELECT err($$SELECT dm_create_predict_function('no_such_model')$$);

-- Deploys are transactional across sessions (a second session through dblink).
CREATE EXTENSION IF NOT EXISTS dblink;
SELECT dblink_connect('other', format('dbname=%s port=%s host=%s user=postgres', current_database(),
       current_setting('port'), split_part(current_setting('unix_socket_directories'), ',', 1)));
SELECT version FROM dm_train('two', 'SELECT a, price FROM houses', 'price', 'decision_tree', '{"max_depth": 1}');
SELECT version FROM dm_train('two', 'SELECT a, price FROM houses', 'price', 'linear_regression', options => '{"deploy": "never"}');
CREATE FUNCTION pg_temp.other_session() RETURNS numeric LANGUAGE sql AS $$
  SELECT v FROM dblink('other', 'SELECT round(dm_predict(''two'', ARRAY[10.0])::numeric, 3)') AS t(v numeric) $$;
SELECT pg_temp.other_session() AS other_before, round(dm_predict('two', ARRAY[10.0])::numeric, 3) AS here_before;
BEGIN;
SELECT dm_deploy('two', 2);
SELECT pg_temp.other_session() AS other_sees_old, round(dm_predict('two', ARRAY[10.0])::numeric, 3) AS here_sees_new;
ROLLBACK;
SELECT pg_temp.other_session() AS other_after_rollback, round(dm_predict('two', ARRAY[10.0])::numeric, 3) AS here_after_rollback;
SELECT dm_deploy('two', 2);
SELECT pg_temp.other_session() AS other_after_commit;
SELECT dm_rollback('two');
SELECT pg_temp.other_session() AS other_after_rollback_call;
SELECT dblink_disconnect('other');

-- Drift: the training rows against themselves, then against a shifted copy.
SELECT feature, kind, round(psi::numeric, 4) AS psi, round(ks::numeric, 4) AS ks, round(chi2::numeric, 2) AS chi2,
       round(null_rate_train::numeric, 3) AS null_train, round(null_rate_now::numeric, 3) AS null_now, drifted
FROM dm_drift('spend', 'SELECT age, plan, tenure FROM customers');
CREATE TABLE customers_shifted AS
SELECT age + 15 AS age, CASE WHEN id % 2 = 0 THEN 'pro' ELSE plan END AS plan,
       CASE WHEN id % 4 = 0 THEN NULL ELSE tenure END AS tenure
FROM customers;
SELECT feature, kind, round(psi::numeric, 3) AS psi, round(ks::numeric, 3) AS ks, round(chi2::numeric, 1) AS chi2,
       round(null_rate_now::numeric, 3) AS null_now, drifted
FROM dm_drift('spend', 'customers_shifted');
SELECT count(*) FILTER (WHERE drifted) AS drifted FROM dm_drift('spend', 'SELECT * FROM customers_shifted LIMIT 100', threshold => 5);
SELECT err($$SELECT * FROM dm_drift('spend', 'SELECT age, tenure FROM customers')$$);
SELECT err($$SELECT * FROM dm_drift('spend', 'SELECT age, plan, tenure FROM customers WHERE false')$$);
SELECT err($$SELECT * FROM dm_drift('spend', 'customers', threshold => 0)$$);
