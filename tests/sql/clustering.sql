-- Unsupervised mining: the dm_kmeans aggregate.
SET client_min_messages = warning;
CREATE TABLE points AS
SELECT i, i % 3 AS grp,
       ARRAY[(i % 3) * 10 + (i * 7 % 10) / 10.0, (i % 2) * 5 + (i * 3 % 10) / 10.0]::float8[] AS f
FROM generate_series(1, 600) i;
-- Six well-separated blobs: the centroids, sorted, reproducible.
SELECT dm_kmeans(f, 6) AS centroids, array_dims(dm_kmeans(f, 6)) AS dims FROM points;
SELECT dm_kmeans(f, 6) = dm_kmeans(f, 6, '{"seed": 42}') AS seeded_default FROM points;
-- One clustering per group.
SELECT grp, dm_kmeans(f, 2, '{"n_init": 3, "seed": 7}') FROM points GROUP BY grp ORDER BY grp;
-- With the metrics aggregate: how well the rows assigned to their nearest centroid separate.
WITH c AS (SELECT dm_kmeans(f, 6) AS m FROM points),
a AS (
  SELECT p.f, (SELECT k FROM generate_series(1, 6) k
               ORDER BY (p.f[1] - c.m[k][1]) ^ 2 + (p.f[2] - c.m[k][2]) ^ 2 LIMIT 1) AS cluster
  FROM points p, c)
SELECT (dm_clustering_metrics(f, cluster) ->> 'clusters')::int AS clusters,
       round((dm_clustering_metrics(f, cluster) ->> 'silhouette')::numeric, 3) > 0.8 AS well_separated
FROM a;
-- NULLs are skipped with a NOTICE; an empty input gives NULL.
SET client_min_messages = notice;
SELECT dm_kmeans(CASE WHEN i = 5 THEN NULL ELSE f END, 2) IS NOT NULL AS clustered FROM points;
SET client_min_messages = warning;
SELECT dm_kmeans(f, 2) IS NULL AS empty_is_null FROM points WHERE false;
-- Bad input.
SELECT err($$SELECT dm_kmeans(f, 0) FROM points$$);
SELECT err($$SELECT dm_kmeans(f, 601) FROM points$$);
SELECT err($$SELECT dm_kmeans(CASE WHEN i = 5 THEN ARRAY[1.0]::float8[] ELSE f END, 2) FROM points$$);
SELECT err($$SELECT dm_kmeans(CASE WHEN i = 5 THEN ARRAY['NaN']::float8[] ELSE f END, 2) FROM points$$);
SELECT err($$SELECT dm_kmeans(f, 2, '{"inits": 3}') FROM points$$);
SELECT err($$SELECT dm_kmeans(f, 2, '{"tol": -1}') FROM points$$);

-- Association rules (FP-growth) over a (transaction, item) table.
CREATE TABLE baskets (tx uuid, item text);
INSERT INTO baskets
SELECT md5(t::text)::uuid, item
FROM generate_series(1, 500) t,
     LATERAL (VALUES ('bread'), ('milk'), ('beer'), ('diapers'), ('eggs')) v(item)
WHERE (item = 'bread' AND t % 2 = 0) OR (item = 'milk' AND t % 3 = 0) OR (item = 'beer' AND t % 5 = 0)
   OR (item = 'diapers' AND (t % 5 = 0 OR t % 7 = 0)) OR (item = 'eggs' AND t % 11 = 0);
INSERT INTO baskets VALUES (NULL, 'bread'), (md5('1')::uuid, NULL);
SELECT itemset, round(support::numeric, 4) AS support, size
FROM dm_frequent_itemsets('baskets', 'tx', 'item', 0.05) ORDER BY size, itemset;
SELECT antecedent, consequent, round(support::numeric, 4) AS support, round(confidence::numeric, 4) AS confidence,
       round(lift::numeric, 4) AS lift, round(leverage::numeric, 4) AS leverage, round(conviction::numeric, 4) AS conviction
FROM dm_association_rules('baskets', 'tx', 'item', 0.05, 0.6) ORDER BY confidence DESC, support DESC, antecedent, consequent;
-- Transaction ids of any type group the same way (bigint, numeric, text, uuid).
WITH u AS (SELECT itemset, support FROM dm_frequent_itemsets('baskets', 'tx', 'item', 0.05)),
b AS (SELECT itemset, support FROM dm_frequent_itemsets('SELECT dense_rank() OVER (ORDER BY tx) AS tx, item FROM baskets WHERE tx IS NOT NULL', 'tx', 'item', 0.05)),
m AS (SELECT itemset, support FROM dm_frequent_itemsets('SELECT tx::text::uuid AS tx, item FROM baskets', 'tx', 'item', 0.05)),
t AS (SELECT itemset, support FROM dm_frequent_itemsets('SELECT tx::text AS tx, item FROM baskets', 'tx', 'item', 0.05)),
x AS (SELECT itemset, support FROM dm_frequent_itemsets('SELECT (''x'' || tx::text)::bytea AS tx, item FROM baskets', 'tx', 'item', 0.05))
SELECT (SELECT count(*) FROM u) AS itemsets,
       NOT EXISTS (SELECT * FROM u EXCEPT SELECT * FROM b) AND NOT EXISTS (SELECT * FROM b EXCEPT SELECT * FROM u) AS same_bigint,
       NOT EXISTS (SELECT * FROM u EXCEPT SELECT * FROM m) AS same_uuid,
       NOT EXISTS (SELECT * FROM u EXCEPT SELECT * FROM t) AND NOT EXISTS (SELECT * FROM t EXCEPT SELECT * FROM u) AS same_text,
       NOT EXISTS (SELECT * FROM u EXCEPT SELECT * FROM x) AND NOT EXISTS (SELECT * FROM x EXCEPT SELECT * FROM u) AS same_bytea;
SELECT count(*) AS pairs_at_most FROM dm_frequent_itemsets('baskets', 'tx', 'item', 0.01, '{"max_len": 2}') WHERE size > 2;
SELECT err($$SELECT * FROM dm_association_rules('baskets', 'tx', 'item', 0)$$);
SELECT err($$SELECT * FROM dm_association_rules('baskets', 'tx', 'item', 1.5)$$);
SELECT err($$SELECT * FROM dm_association_rules('baskets', 'tx', 'item', 0.1, 2)$$);
SELECT err($$SELECT * FROM dm_association_rules('baskets', 'tx', 'nope', 0.1)$$);
SELECT err($$SELECT * FROM dm_association_rules('SELECT * FROM baskets WHERE false', 'tx', 'item', 0.1)$$);
SELECT err($$SELECT * FROM dm_frequent_itemsets('baskets', 'tx', 'item', 0.1, '{"maxlen": 2}')$$);
-- Limits (issue 15): one basket of 40 items at support 1 holds 2^40 - 1 itemsets. By default
-- itemsets have at most 10 items and there are at most 1,000,000 of them: a clean 54000, soon.
CREATE TABLE wide AS SELECT 1 AS tx, 'item' || i AS item FROM generate_series(1, 40) i;
SELECT err($$SELECT count(*) FROM dm_frequent_itemsets('wide', 'tx', 'item', 1.0)$$);
SELECT count(*) AS singles_and_pairs FROM dm_frequent_itemsets('wide', 'tx', 'item', 1.0, '{"max_len": 2}');
SELECT count(*) AS pair_rules FROM dm_association_rules('wide', 'tx', 'item', 1.0, 0.5, '{"max_len": 2}');
SELECT err($$SELECT count(*) FROM dm_association_rules('wide', 'tx', 'item', 1.0, 0.5, '{"max_len": 2, "max_rules": 100}')$$);
SELECT err($$SELECT count(*) FROM dm_frequent_itemsets('wide', 'tx', 'item', 1.0, '{"max_len": 65}')$$);
SELECT err($$SELECT count(*) FROM dm_frequent_itemsets('wide', 'tx', 'item', 1.0, '{"max_itemsets": 0}')$$);
SELECT err($$SELECT count(*) FROM dm_frequent_itemsets('wide', 'tx', 'item', 1.0, '[2]')$$);
-- Over the memory budget: mining, then reading the baskets.
SET pg_mining.max_memory = '1MB';
SELECT err($$SELECT count(*) FROM dm_frequent_itemsets('wide', 'tx', 'item', 1.0, '{"max_len": 5}')$$);
SELECT err($$SELECT count(*) FROM dm_frequent_itemsets('SELECT t AS tx, ''item'' || (t % 7) AS item FROM generate_series(1, 200000) t', 'tx', 'item', 0.5)$$);
RESET pg_mining.max_memory;
