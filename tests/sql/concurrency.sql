-- Concurrent catalog writes under every isolation level (issue 15, item 6). Sessions b and c
-- are dblink connections driven from this one; c runs at the level named. A training that
-- waits for another of the same name gets the next version (READ COMMITTED) or a serialization
-- failure before any work (REPEATABLE READ, SERIALIZABLE: its snapshot cannot see the version
-- committed meanwhile); a deploy or drop on a stale snapshot is refused the same way; a
-- deployment never points at a missing version (foreign key), and dropping a version keeps
-- the rollback history exact.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dblink;
CREATE TABLE cc AS SELECT i::float8 AS x FROM generate_series(1, 300) i;
SELECT dblink_connect('b', format('dbname=%s port=%s host=%s user=postgres', current_database(),
       current_setting('port'), split_part(current_setting('unix_socket_directories'), ',', 1)));
SELECT dblink_connect('c', format('dbname=%s port=%s host=%s user=postgres', current_database(),
       current_setting('port'), split_part(current_setting('unix_socket_directories'), ',', 1)));
SELECT dblink_exec('b', 'SET client_min_messages = warning'), dblink_exec('c', 'SET client_min_messages = warning');


-- READ COMMITTED: c's training waits for b's, which holds the name, then ...
SELECT dblink_exec('b', 'BEGIN');
SELECT dblink_exec('b', $q$DO $d$ BEGIN PERFORM dm_train('cc_rc', 'SELECT x, 2 * x AS y FROM cc', 'y', 'linear_regression'); END $d$$q$);
SELECT dblink_exec('c', 'BEGIN ISOLATION LEVEL READ COMMITTED');
SELECT dblink_exec('c', 'DO $d$ BEGIN PERFORM count(*) FROM dm.models; END $d$');
SELECT dblink_send_query('c', $q$SELECT version FROM dm_train('cc_rc', 'SELECT x, 3 * x AS y FROM cc', 'y', 'linear_regression')$q$);
SELECT pg_sleep(0.3);
SELECT dblink_is_busy('c') AS c_waits;
SELECT dblink_exec('b', 'COMMIT');
SELECT * FROM dblink_get_result('c') AS t(version int);
SELECT * FROM dblink_get_result('c') AS t(version int);
SELECT dblink_exec('c', 'COMMIT');
SELECT version FROM dm.models WHERE name = 'cc_rc' ORDER BY version;
-- ... and its retry trains the next version.
SELECT version FROM dm_train('cc_rc', 'SELECT x, 3 * x AS y FROM cc', 'y', 'linear_regression', options => '{"deploy": "never"}');

-- READ COMMITTED: c's snapshot predates b's deploy of version 2; c drops version 2, then deploys 1.
SELECT dblink_exec('c', 'BEGIN ISOLATION LEVEL READ COMMITTED');
SELECT dblink_exec('c', 'DO $d$ BEGIN PERFORM count(*) FROM dm.models; END $d$');
SELECT dm_deploy('cc_rc', 2);
SELECT * FROM dblink('c', $q$SELECT err('SELECT dm_drop_model(''cc_rc'', 2)')$q$) AS t(drop_in_c text);
SELECT * FROM dblink('c', $q$SELECT err('SELECT dm_deploy(''cc_rc'', 1)')$q$) AS t(deploy_in_c text);
SELECT dblink_exec('c', 'COMMIT');
SELECT version, action FROM dm.deployments WHERE name = 'cc_rc' ORDER BY id;
-- The rollback returns to what was deployed before the last deploy.
SELECT dm_rollback('cc_rc') AS rolled_back_to;

-- REPEATABLE READ: c's training waits for b's, which holds the name, then ...
SELECT dblink_exec('b', 'BEGIN');
SELECT dblink_exec('b', $q$DO $d$ BEGIN PERFORM dm_train('cc_rr', 'SELECT x, 2 * x AS y FROM cc', 'y', 'linear_regression'); END $d$$q$);
SELECT dblink_exec('c', 'BEGIN ISOLATION LEVEL REPEATABLE READ');
SELECT dblink_exec('c', 'DO $d$ BEGIN PERFORM count(*) FROM dm.models; END $d$');
SELECT dblink_send_query('c', $q$SELECT version FROM dm_train('cc_rr', 'SELECT x, 3 * x AS y FROM cc', 'y', 'linear_regression')$q$);
SELECT pg_sleep(0.3);
SELECT dblink_is_busy('c') AS c_waits;
SELECT dblink_exec('b', 'COMMIT');
SELECT err($$SELECT * FROM dblink_get_result('c') AS t(version int)$$) AS c_gets;
SELECT * FROM dblink_get_result('c') AS t(version int);
SELECT dblink_exec('c', 'ROLLBACK');
SELECT version FROM dm.models WHERE name = 'cc_rr' ORDER BY version;
-- ... and its retry trains the next version.
SELECT version FROM dm_train('cc_rr', 'SELECT x, 3 * x AS y FROM cc', 'y', 'linear_regression', options => '{"deploy": "never"}');

-- REPEATABLE READ: c's snapshot predates b's deploy of version 2; c drops version 2, then deploys 1.
SELECT dblink_exec('c', 'BEGIN ISOLATION LEVEL REPEATABLE READ');
SELECT dblink_exec('c', 'DO $d$ BEGIN PERFORM count(*) FROM dm.models; END $d$');
SELECT dm_deploy('cc_rr', 2);
SELECT * FROM dblink('c', $q$SELECT err('SELECT dm_drop_model(''cc_rr'', 2)')$q$) AS t(drop_in_c text);
SELECT * FROM dblink('c', $q$SELECT err('SELECT dm_deploy(''cc_rr'', 1)')$q$) AS t(deploy_in_c text);
SELECT dblink_exec('c', 'COMMIT');
SELECT version, action FROM dm.deployments WHERE name = 'cc_rr' ORDER BY id;
-- The rollback returns to what was deployed before the last deploy.
SELECT dm_rollback('cc_rr') AS rolled_back_to;

-- SERIALIZABLE: c's training waits for b's, which holds the name, then ...
SELECT dblink_exec('b', 'BEGIN');
SELECT dblink_exec('b', $q$DO $d$ BEGIN PERFORM dm_train('cc_sr', 'SELECT x, 2 * x AS y FROM cc', 'y', 'linear_regression'); END $d$$q$);
SELECT dblink_exec('c', 'BEGIN ISOLATION LEVEL SERIALIZABLE');
SELECT dblink_exec('c', 'DO $d$ BEGIN PERFORM count(*) FROM dm.models; END $d$');
SELECT dblink_send_query('c', $q$SELECT version FROM dm_train('cc_sr', 'SELECT x, 3 * x AS y FROM cc', 'y', 'linear_regression')$q$);
SELECT pg_sleep(0.3);
SELECT dblink_is_busy('c') AS c_waits;
SELECT dblink_exec('b', 'COMMIT');
SELECT err($$SELECT * FROM dblink_get_result('c') AS t(version int)$$) AS c_gets;
SELECT * FROM dblink_get_result('c') AS t(version int);
SELECT dblink_exec('c', 'ROLLBACK');
SELECT version FROM dm.models WHERE name = 'cc_sr' ORDER BY version;
-- ... and its retry trains the next version.
SELECT version FROM dm_train('cc_sr', 'SELECT x, 3 * x AS y FROM cc', 'y', 'linear_regression', options => '{"deploy": "never"}');

-- SERIALIZABLE: c's snapshot predates b's deploy of version 2; c drops version 2, then deploys 1.
SELECT dblink_exec('c', 'BEGIN ISOLATION LEVEL SERIALIZABLE');
SELECT dblink_exec('c', 'DO $d$ BEGIN PERFORM count(*) FROM dm.models; END $d$');
SELECT dm_deploy('cc_sr', 2);
SELECT * FROM dblink('c', $q$SELECT err('SELECT dm_drop_model(''cc_sr'', 2)')$q$) AS t(drop_in_c text);
SELECT * FROM dblink('c', $q$SELECT err('SELECT dm_deploy(''cc_sr'', 1)')$q$) AS t(deploy_in_c text);
SELECT dblink_exec('c', 'COMMIT');
SELECT version, action FROM dm.deployments WHERE name = 'cc_sr' ORDER BY id;
-- The rollback returns to what was deployed before the last deploy.
SELECT dm_rollback('cc_sr') AS rolled_back_to;

-- A deployment of a missing version is refused by the foreign key, also by hand.
SELECT err($$INSERT INTO dm.deployments (name, version, action) VALUES ('cc_rc', 99, 'deploy')$$);
SELECT err($$DELETE FROM dm.models WHERE name = 'cc_rc' AND version = 2$$);
-- Dropping a version that was deployed before keeps the stack exact: deploy 1, 3, 2, drop 3,
-- and a rollback returns to 1.
SELECT dm_deploy('cc_rc', 1), dm_deploy('cc_rc', 3), dm_deploy('cc_rc', 2);
SELECT dm_drop_model('cc_rc', 3) AS dropped;
SELECT version, action, previous IS NULL AS first FROM dm.deployments WHERE name = 'cc_rc' ORDER BY id;
SELECT dm_rollback('cc_rc') AS rolled_back_to;
SELECT dblink_disconnect('b'), dblink_disconnect('c');
