-- The model cache (issue 15, item 5): a session keeps decoded models and which stored row a
-- name means; another session changes the catalog behind it — by hand, or by dropping and
-- re-creating the extension, which reuses model ids — and this session's next statement must
-- see the change. Runs in a database of its own, since it drops the extension.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS pg_mining_cache;
CREATE DATABASE pg_mining_cache;
\c pg_mining_cache
SET client_min_messages = warning;
CREATE EXTENSION pg_mining;
CREATE EXTENSION dblink;
CREATE TABLE pts AS SELECT i::float8 AS x FROM generate_series(1, 200) i;
SELECT dblink_connect('other', format('dbname=%s port=%s host=%s user=postgres', current_database(),
       current_setting('port'), split_part(current_setting('unix_socket_directories'), ',', 1)));
CREATE FUNCTION pg_temp.other(q text) RETURNS void LANGUAGE sql AS $$ SELECT dblink_exec('other', q) $$;

-- Version 1 says y = 2x, version 2 (trained, not deployed) y = -5x.
SELECT version FROM dm_train('m', 'SELECT x, 2 * x AS y FROM pts', 'y', 'linear_regression');
SELECT version FROM dm_train('m', 'SELECT x, -5 * x AS y FROM pts', 'y', 'linear_regression', options => '{"deploy": "never"}');
SELECT round(dm_predict('m', ARRAY[1.0])::numeric, 3) AS deployed_v1, round(dm_predict('m@2', ARRAY[1.0])::numeric, 3) AS v2;

-- A deployment inserted by hand in another session: the next statement here scores with it.
SELECT pg_temp.other($$INSERT INTO dm.deployments (name, version, action, previous)
                       SELECT 'm', 2, 'deploy', max(id) FROM dm.deployments WHERE name = 'm'$$);
SELECT round(dm_predict('m', ARRAY[1.0])::numeric, 3) AS after_hand_deploy;
SELECT pg_temp.other($$DELETE FROM dm.deployments WHERE version = 2$$);
SELECT round(dm_predict('m', ARRAY[1.0])::numeric, 3) AS after_hand_delete;

-- Model bytes replaced by hand: version 1 now holds version 2's bytes.
SELECT pg_temp.other($$UPDATE dm.models SET model_bytes = (SELECT model_bytes FROM dm.models WHERE name = 'm' AND version = 2)
                       WHERE name = 'm' AND version = 1$$);
SELECT round(dm_predict('m', ARRAY[1.0])::numeric, 3) AS after_hand_update;

-- Another session drops and re-creates the extension and trains a model of the same name:
-- it gets the same id, and this session must not serve the decoded model it kept for that id.
SELECT min(id) AS first_id FROM dm.models;
SELECT pg_temp.other($$DROP EXTENSION pg_mining CASCADE$$);
SELECT pg_temp.other($$CREATE EXTENSION pg_mining$$);
SELECT pg_temp.other($$DO 'BEGIN PERFORM dm_train(''m'', ''SELECT x, 7 * x + 1 AS y FROM pts'', ''y'', ''linear_regression''); END'$$);
SELECT min(id) AS reused_id, count(*) AS models FROM dm.models;
SELECT round(dm_predict('m', ARRAY[1.0])::numeric, 3) AS after_recreate;
SELECT round(dm_predict('m@1', ARRAY[2.0])::numeric, 3) AS by_version;
-- The re-created catalog's tables have new oids: their invalidations are still heard here.
SELECT pg_temp.other($$DO 'BEGIN PERFORM dm_train(''m'', ''SELECT x, 3 * x AS y FROM pts'', ''y'', ''linear_regression'', options => ''{"deploy": "always"}''); END'$$);
SELECT round(dm_predict('m', ARRAY[1.0])::numeric, 3) AS after_new_deploy;
SELECT dblink_disconnect('other');
\c pg_mining_regress
DROP DATABASE pg_mining_cache;
