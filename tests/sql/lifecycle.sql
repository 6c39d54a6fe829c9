-- Versions, deploy policies, rollback and drop.
SET client_min_messages = warning;

SELECT version, deployed FROM dm_train('life', 'houses', 'price', 'decision_tree', '{"max_depth": 2}', '{"exclude": ["id"]}');
-- Better: deployed by if_better.
SELECT version, deployed FROM dm_train('life', 'houses', 'price', 'linear_regression', options => '{"exclude": ["id"]}');
-- Worse: stored, not deployed.
SELECT version, deployed FROM dm_train('life', 'houses', 'price', 'decision_tree', '{"max_depth": 1}', '{"exclude": ["id"]}');
SELECT name, version FROM dm.deployed WHERE name = 'life';
SELECT version, deployed FROM dm.summary WHERE name = 'life' ORDER BY version;

-- Explicit deploys and rollbacks form a stack.
SELECT dm_deploy('life', 3);
SELECT dm_deploy('life', 1);
SELECT dm_rollback('life');
SELECT dm_rollback('life');
SELECT dm_rollback('life');
SELECT dm_rollback('life');
SELECT version, action FROM dm.deployments WHERE name = 'life' ORDER BY id;

-- A deploy rolled back with its transaction changes nothing.
BEGIN;
SELECT dm_deploy('life', 3);
SELECT round(dm_predict('life', h)::numeric, 1) AS inside_txn FROM houses h WHERE id = 7;
ROLLBACK;
SELECT version FROM dm.deployed WHERE name = 'life';
SELECT round(dm_predict('life', h)::numeric, 1) AS after_rollback FROM houses h WHERE id = 7;

-- Drop one version (not the deployed one), then the whole model.
SELECT dm_drop_model('life', 3);
SELECT dm_drop_model('life', 2);
SELECT dm_drop_model('life');
SELECT count(*) FROM dm.models WHERE name = 'life';
SELECT count(*) FROM dm.deployments WHERE name = 'life';
SELECT dm_predict('life', h) FROM houses h WHERE id = 7;

-- A dropped model starts again at version 1; deploy "always" replaces even a better model.
SELECT version, deployed FROM dm_train('life', 'houses', 'price', 'linear_regression', options => '{"exclude": ["id"]}');
SELECT version, deployed FROM dm_train('life', 'houses', 'price', 'decision_tree', '{"max_depth": 1}', '{"exclude": ["id"], "deploy": "always"}');
SELECT version FROM dm.deployed WHERE name = 'life';
