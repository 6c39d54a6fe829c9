-- Models on a shared database (issue 16): a DBA (this superuser), two analysts (dm_alice, a
-- member of the owning team role dm_fraud_team, and dm_bob) and a BI role (dm_bi) that only
-- scores. Each rule is shown allowed and refused; every refusal is 42501 naming the model and
-- the missing privilege.
SET client_min_messages = warning;
\set VERBOSITY default
DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['dm_alice', 'dm_bob', 'dm_bi', 'dm_fraud_team'] LOOP
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
      EXECUTE format('DROP OWNED BY %I CASCADE', r);
      EXECUTE format('DROP ROLE %I', r);
    END IF;
  END LOOP;
END $$;
DROP SCHEMA IF EXISTS sec CASCADE;
CREATE ROLE dm_fraud_team NOLOGIN;
CREATE ROLE dm_alice LOGIN IN ROLE dm_fraud_team;
CREATE ROLE dm_bob LOGIN;
CREATE ROLE dm_bi LOGIN;
CREATE SCHEMA sec;
GRANT USAGE ON SCHEMA sec TO PUBLIC;
GRANT CREATE ON SCHEMA sec TO dm_alice;
CREATE SCHEMA evil AUTHORIZATION dm_bi;

CREATE TABLE sec.tx AS
SELECT i AS id, (i % 97)::float8 AS amount, (i % 24)::float8 AS hour,
       CASE WHEN i % 97 > 80 THEN 'fraud' ELSE 'ok' END AS label
FROM generate_series(1, 400) i;
GRANT SELECT ON sec.tx TO dm_alice;
CREATE TABLE sec.incoming AS SELECT amount, hour FROM sec.tx WHERE id <= 5;
GRANT SELECT ON sec.incoming TO dm_bi;
CREATE TABLE sec.bob_data AS SELECT amount, hour, label FROM sec.tx WHERE id > 100;
GRANT SELECT ON sec.bob_data TO dm_bob;
-- Row-level security: dm_bob sees the rows of region 'north' only.
CREATE TABLE sec.regional AS
SELECT CASE WHEN i <= 150 THEN 'north' ELSE 'south' END AS region, i::float8 AS x, (3 * i)::float8 AS y
FROM generate_series(1, 400) i;
ALTER TABLE sec.regional ENABLE ROW LEVEL SECURITY;
CREATE POLICY north ON sec.regional FOR SELECT TO dm_bob USING (region = 'north');
GRANT SELECT ON sec.regional TO dm_bob;
CREATE TABLE sec.victim (x int);

-- 1. An analyst trains; the model belongs to the team role she names.
SET ROLE dm_alice;
SELECT version, deployed FROM dm_train('fraud', 'sec.tx', 'label', 'logistic_regression',
       options => '{"owner": "dm_fraud_team", "exclude": ["id"]}');
SELECT name, version, deployed, owner FROM dm.summary WHERE name = 'fraud';
SELECT dm_has_model_privilege('fraud', 'manage') AS alice_manages;
-- The catalog tables are the extension's: no role reads or writes them directly.
SELECT count(*) FROM dm.models;
INSERT INTO dm.deployments (name, version, action) VALUES ('fraud', 99, 'deploy');
UPDATE dm.models SET model_bytes = '\x00' WHERE name = 'fraud';
-- Naming a role whose privileges she does not have as owner is refused, before any work.
SELECT * FROM dm_train('alices', 'sec.tx', 'label', options => '{"owner": "dm_bob"}');
RESET ROLE;

-- 2. Another analyst can do nothing with it, and does not see it.
SET ROLE dm_bob;
SELECT count(*) AS bob_sees FROM dm.summary WHERE name = 'fraud';
SELECT dm_predict_label('fraud', ROW(1.0::float8, 2.0::float8));
SELECT dm_deploy('fraud', 1);
SELECT dm_rollback('fraud');
SELECT dm_drop_model('fraud');
SELECT dm_grant('fraud', 'dm_bob', 'manage');
-- Retraining another team's model is refused before any work (the relation is his to read).
SELECT * FROM dm_train('fraud', 'sec.bob_data', 'label', 'logistic_regression');
-- 3. Training reads with the caller's rights: a table he may not read is refused, naming it ...
SELECT * FROM dm_train('bobs', 'sec.tx', 'label');
-- ... and row-level security decides which rows he trains on (150 of the 400).
SELECT version FROM dm_train('bob_rls', 'sec.regional', 'y', 'linear_regression', options => '{"exclude": ["region"]}');
SELECT (row_counts ->> 'read')::int AS rows_read FROM dm.versions WHERE name = 'bob_rls';
RESET ROLE;

-- 4. The owner grants: score to the BI role, train to bob.
SET ROLE dm_alice;
SELECT dm_grant('fraud', 'dm_bi', 'score') AS granted, dm_grant('fraud', 'dm_bi', 'score') AS again;
SELECT dm_grant('fraud', 'dm_bob', 'train');
SELECT dm_grant('fraud', 'dm_bi', 'launch');
SELECT dm_grant('fraud', 'no_such_role', 'score');
SELECT name, grantee, privilege, granted_by FROM dm.privileges WHERE name = 'fraud';
-- A typed predict function and a scoring trigger for the model (alice manages it).
SELECT dm_create_predict_function('fraud', 'sec.predict_fraud');
CREATE TABLE sec.scored (amount float8, hour float8, label text);
GRANT INSERT, SELECT ON sec.scored TO dm_bi;
CREATE TRIGGER score_fraud BEFORE INSERT ON sec.scored
    FOR EACH ROW EXECUTE FUNCTION dm_score_trigger('fraud', 'label', 'label');
RESET ROLE;

-- 5. What a scorer may do and see.
SET ROLE dm_bi;
SELECT dm_predict_label('fraud', i) AS label FROM sec.incoming i ORDER BY amount;
SELECT name, version, deployed FROM dm.summary WHERE name = 'fraud';
SELECT count(*) AS internals_seen FROM dm.versions;
SELECT count(*) AS runs_seen FROM dm.runs;
SELECT model_bytes FROM dm.models;
SELECT * FROM dm_drift('fraud', 'sec.incoming');
SELECT dm_deploy('fraud', 1);
SELECT dm_create_predict_function('fraud', 'evil.predict_fraud');
-- A search_path hijack: dm_bi's own dm_predict_label(text, record) first in its path does not
-- redirect the typed predict function, whose body is bound to the extension's.
CREATE FUNCTION evil.dm_predict_label(text, record) RETURNS text LANGUAGE plpgsql AS $$ BEGIN RETURN 'hijacked'; END $$;
SET search_path = evil, public;
SELECT dm_predict_label('fraud', ROW(90.0::float8, 3.0::float8)) AS hijacked_by_path,
       sec.predict_fraud(90, 3) AS typed;
RESET search_path;
INSERT INTO sec.scored (amount, hour) VALUES (90, 3), (5, 3);
SELECT amount, label FROM sec.scored ORDER BY amount;
RESET ROLE;

-- 6. An analyst with train (not deploy): his version is stored, not deployed.
SET ROLE dm_bob;
SELECT version, deployed FROM dm_train('fraud', 'sec.bob_data', 'label', 'logistic_regression');
SELECT * FROM dm_train('fraud', 'sec.bob_data', 'label', 'logistic_regression', options => '{"deploy": "always"}');
SELECT dm_deploy('fraud', 2);
SELECT name, version, created_by FROM dm.runs WHERE name = 'fraud' ORDER BY version;
SELECT count(*) AS relation_seen FROM dm.runs WHERE relation IS NOT NULL AND name = 'fraud';
RESET ROLE;

-- 7. Revoked, the BI role scores no more (the next statement already sees it).
SET ROLE dm_alice;
SELECT dm_revoke('fraud', 'dm_bi');
RESET ROLE;
SET ROLE dm_bi;
SELECT dm_predict_label('fraud', i) FROM sec.incoming i LIMIT 1;
SELECT count(*) AS bi_sees FROM dm.summary WHERE name = 'fraud';
RESET ROLE;

-- 8. A stored type name is checked through regtype and written by its canonical name: a
-- domain named like an injection is only a name.
CREATE DOMAIN sec."kind); DROP TABLE sec.victim; --" AS text;
CREATE TABLE sec.typed AS
SELECT amount, hour, label::sec."kind); DROP TABLE sec.victim; --" AS kind FROM sec.tx;
SELECT version FROM dm_train('typed', 'sec.typed', 'kind', 'logistic_regression');
SELECT dm_create_predict_function('typed', 'sec.predict_typed');
SELECT sec.predict_typed(90, 3) AS kind, to_regclass('sec.victim') IS NOT NULL AS victim_still_there;

-- 9. Dependents: dropping the model refuses while the trigger and the function use it ...
SET ROLE dm_alice;
SELECT dm_drop_model('fraud');
-- ... and with cascade drops them, says so, and takes the owner and the grants with it.
SET client_min_messages = notice;
SELECT dm_drop_model('fraud', cascade => true);
SET client_min_messages = warning;
SELECT to_regprocedure('sec.predict_fraud(double precision, double precision)') IS NULL AS function_gone,
       (SELECT count(*) FROM pg_trigger WHERE tgname = 'score_fraud') AS triggers_left;
SELECT count(*) AS grants_left FROM dm.privileges WHERE name = 'fraud';
RESET ROLE;
SELECT count(*) AS owners_left FROM dm.owners WHERE name = 'fraud';

-- 10. pg_mining.public_scoring: a new model gets a score grant to PUBLIC.
SET ROLE dm_alice;
SET pg_mining.public_scoring = on;
SELECT version FROM dm_train('open', 'sec.tx', 'label', 'logistic_regression', options => '{"exclude": ["id"]}');
RESET pg_mining.public_scoring;
RESET ROLE;
SET ROLE dm_bi;
SELECT dm_predict_label('open', i) IS NOT NULL AS bi_scores_open FROM sec.incoming i LIMIT 1;
RESET ROLE;

SELECT dm_drop_model('bob_rls');
SELECT dm_drop_model('open');
SELECT dm_drop_model('typed', cascade => true);
DROP SCHEMA sec CASCADE;
DROP SCHEMA evil CASCADE;
DROP ROLE dm_alice, dm_bob, dm_bi, dm_fraud_team;
