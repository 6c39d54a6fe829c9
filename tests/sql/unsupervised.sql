-- Stored unsupervised models: k-means and DBSCAN (dm_cluster), isolation forest
-- (dm_anomaly_score, dm_is_anomaly) and PCA (dm_transform), on the data sets of
-- tests/fixtures/sklearn_unsupervised.py, whose scikit-learn results are in the CSVs.
SET client_min_messages = warning;
CREATE TABLE blobs (id int, a float8, b float8, sklearn_label int);
\copy blobs FROM PROGRAM 'cat "$PG_ABS_SRCDIR/fixtures/unsupervised_blobs.csv"' WITH (FORMAT csv, HEADER)
CREATE TABLE machines (id int, cpu float8, mem float8, io float8, net float8, is_anomaly boolean);
\copy machines FROM PROGRAM 'cat "$PG_ABS_SRCDIR/fixtures/unsupervised_machines.csv"' WITH (FORMAT csv, HEADER)
SELECT (SELECT count(*) FROM blobs) AS blobs, (SELECT count(*) FROM machines) AS machines,
       (SELECT count(*) FROM machines WHERE is_anomaly) AS injected;

-- DBSCAN on the raw coordinates (scale none), as scikit-learn ran it.
SELECT model, version, task, algorithm, deployed,
       metrics -> 'train' ->> 'clusters' AS clusters, metrics -> 'train' ->> 'noise' AS noise
FROM dm_train('blobs_db', 'SELECT a, b FROM blobs', NULL, 'dbscan',
              '{"eps": 0.6, "min_samples": 5}', '{"scale": "none"}');
SELECT count(*) FILTER (WHERE sklearn_label = -1) AS sklearn_noise,
       count(DISTINCT sklearn_label) FILTER (WHERE sklearn_label >= 0) AS sklearn_clusters
FROM blobs;
-- Scoring the training rows: a row joins the cluster of its nearest core point within eps, so
-- core points and noise agree with scikit-learn's labels exactly; a border point may join
-- another cluster whose core point is nearer.
SELECT count(*) AS rows, count(*) FILTER (WHERE dm_cluster('blobs_db', ROW(a, b)) = sklearn_label) AS same_as_sklearn,
       count(*) FILTER (WHERE sklearn_label = -1 AND dm_cluster('blobs_db', ROW(a, b)) <> -1) AS noise_moved
FROM blobs;
SELECT dm_cluster('blobs_db', ROW(100.0, 100.0)) AS far_away_is_noise;

-- k-means with the default standard scaling: segments and their sizes with GROUP BY.
SELECT model, algorithm, (metrics -> 'train' ->> 'silhouette')::float8 > 0.5 AS separated,
       metrics -> 'train' ->> 'clusters' AS clusters,
       (SELECT count(*) FROM jsonb_object_keys(metrics -> 'train' -> 'sizes')) AS sizes
FROM dm_train('blobs_km', 'SELECT a, b FROM blobs', NULL, 'kmeans', '{"n_clusters": 4}');
SELECT count(*) AS segment_size, count(*) FILTER (WHERE sklearn_label = -1) AS dbscan_noise
FROM blobs GROUP BY dm_cluster('blobs_km', ROW(a, b)) ORDER BY 1, 2;
-- Segments against DBSCAN's clusters: k-means cuts space into convex cells, DBSCAN follows
-- density, so one DBSCAN cluster spans two segments here (5 pairs for 4 + 4 clusters).
SELECT count(DISTINCT (sklearn_label, dm_cluster('blobs_km', ROW(a, b)))) AS label_segment_pairs
FROM blobs WHERE sklearn_label >= 0;
-- dm_evaluate on another relation: the clustering metrics of the model's assignments.
SELECT (m ->> 'rows')::int AS rows, (m ->> 'silhouette')::float8 > 0.5 AS separated
FROM dm_evaluate('blobs_km', 'SELECT a, b FROM blobs WHERE sklearn_label >= 0') m;

-- Isolation forest on the machine table: scores in (0, 1], the contamination threshold, and
-- ROC-AUC against the injected anomalies (scikit-learn: 0.949 averaged over 5 seeds).
SELECT model, algorithm, (metrics -> 'train' ->> 'anomalies')::int AS flagged
FROM dm_train('machines_if', 'SELECT cpu, mem, io, net FROM machines', NULL, 'isolation_forest',
              '{"contamination": 0.02}');
SELECT min(s) > 0 AND max(s) <= 1 AS in_range, count(*) FILTER (WHERE f) AS flagged,
       count(*) FILTER (WHERE f AND is_anomaly) > 30 AS mostly_injected
FROM (SELECT dm_anomaly_score('machines_if', ROW(cpu, mem, io, net)) AS s,
             dm_is_anomaly('machines_if', ROW(cpu, mem, io, net)) AS f, is_anomaly FROM machines) t;
SELECT (m ->> 'roc_auc')::float8 > 0.93 AS auc_ok
FROM (SELECT dm_classification_metrics(is_anomaly::int, dm_is_anomaly('machines_if', ROW(cpu, mem, io, net))::int,
                                       dm_anomaly_score('machines_if', ROW(cpu, mem, io, net))) AS m
      FROM machines) t;
-- A logs-like table with a text column and NULLs: encoded and imputed like any other model.
CREATE TABLE logs AS
SELECT id, CASE WHEN id % 3 = 0 THEN 'web' WHEN id % 3 = 1 THEN 'db' ELSE 'cache' END AS host,
       CASE WHEN id % 50 = 0 THEN NULL ELSE cpu END AS cpu, mem, is_anomaly
FROM machines;
SELECT model, algorithm FROM dm_train('logs_if', 'SELECT host, cpu, mem FROM logs', NULL, 'isolation_forest');
SELECT dm_anomaly_score('logs_if', ROW('web'::text, NULL::float8, 0.0)) BETWEEN 0 AND 1 AS null_imputed;
-- The scoring trigger flags rows on insert.
CREATE TABLE incoming (cpu float8, mem float8, io float8, net float8, score float8, flagged boolean);
CREATE TRIGGER s BEFORE INSERT ON incoming FOR EACH ROW
  EXECUTE FUNCTION dm_score_trigger('machines_if', 'score');
CREATE TRIGGER f BEFORE INSERT ON incoming FOR EACH ROW
  EXECUTE FUNCTION dm_score_trigger('machines_if', 'flagged', 'label');
INSERT INTO incoming (cpu, mem, io, net) VALUES (0, 0, 0, 0), (3.4, -3.4, 3.4, -3.4);
SELECT cpu, score > 0.5 AS high, flagged FROM incoming ORDER BY cpu;

-- auto with a task and no target picks the task's learner.
SELECT model, task, algorithm FROM dm_train('machines_auto', 'SELECT cpu, mem, io, net FROM machines', NULL, 'auto',
                                            options => '{"task": "anomaly"}');

-- PCA: components, explained variance, dm_transform.
SELECT model, algorithm, (metrics -> 'train' ->> 'n_components')::int AS k,
       round((metrics -> 'train' ->> 'explained_variance_ratio_total')::numeric, 3) AS explained
FROM dm_train('machines_pca', 'SELECT cpu, mem, io, net FROM machines', NULL, 'pca', '{"n_components": 2}');
SELECT max(array_length(dm_transform('machines_pca', ROW(cpu, mem, io, net)), 1)) AS k,
       round(avg((dm_transform('machines_pca', ROW(cpu, mem, io, net)))[1])::numeric, 6) AS mean_of_first
FROM machines;
SELECT model, (metrics -> 'train' ->> 'n_components')::int AS k_for_90_percent
FROM dm_train('machines_pca90', 'SELECT cpu, mem, io, net FROM machines', NULL, 'pca', '{"n_components": 0.9}');
SELECT dm_create_predict_function('machines_pca', 'machine_components');
SELECT array_length(machine_components(1, 2, 3, 4), 1) AS k;
SELECT dm_create_predict_function('blobs_km', 'segment_of');
SELECT segment_of(a, b) = dm_cluster('blobs_km', ROW(a, b)) AS same FROM blobs WHERE id = 1;

-- Bad input.
SELECT err($$SELECT * FROM dm_train('x', 'blobs', NULL, 'dbscan', '{"eps": 0}')$$);
SELECT err($$SELECT * FROM dm_train('x', 'blobs', NULL, 'dbscan', '{"min_samples": 0}')$$);
SELECT err($$SELECT * FROM dm_train('x', 'SELECT a, b FROM blobs LIMIT 5', NULL, 'kmeans', '{"n_clusters": 6}')$$);
SELECT err($$SELECT * FROM dm_train('x', 'blobs', NULL, 'kmeans', '{"n_clusters": 0}')$$);
SELECT err($$SELECT * FROM dm_train('x', 'blobs', 'sklearn_label', 'kmeans')$$);
SELECT err($$SELECT * FROM dm_train('x', 'blobs', NULL, 'kmeans', options => '{"cv": 3}')$$);
SELECT err($$SELECT * FROM dm_train('x', 'blobs', NULL, 'kmeans', '{"k": 3}')$$);
SELECT err($$SELECT * FROM dm_train('x', 'blobs', NULL, 'isolation_forest', '{"contamination": 0.9}')$$);
SELECT err($$SELECT * FROM dm_train('x', 'machines', NULL, 'pca', '{"n_components": 9}')$$);
SELECT err($$SELECT * FROM dm_train('x', 'SELECT a, b FROM blobs WHERE false', NULL, 'kmeans')$$);
SELECT err($$SELECT * FROM dm_train('x', 'blobs', NULL, 'random_forest')$$);
SELECT err($$SELECT dm_predict('blobs_km', ROW(1.0, 2.0))$$);
SELECT err($$SELECT dm_anomaly_score('blobs_km', ROW(1.0, 2.0))$$);
SELECT err($$SELECT dm_cluster('machines_if', ROW(1.0, 2.0, 3.0, 4.0))$$);
SELECT err($$SELECT dm_transform('blobs_db', ROW(1.0, 2.0))$$);
SELECT err($$SELECT dm_cluster('blobs_km', ROW(1.0))$$);
SELECT err($$SELECT * FROM dm_evaluate('blobs_km', 'blobs', 'sklearn_label')$$);
SELECT err($$CREATE TABLE bad_pca (cpu float8, mem float8, io float8, net float8, c float8)$$);
SELECT err($$CREATE TRIGGER t BEFORE INSERT ON bad_pca FOR EACH ROW EXECUTE FUNCTION dm_score_trigger('machines_pca', 'c')$$);
SELECT err($$INSERT INTO bad_pca VALUES (1, 2, 3, 4)$$);
