-- The real data set the demo uses (Palmer penguins), loaded from the repository.
SET client_min_messages = warning;
CREATE TABLE penguins (species text, island text, bill_length_mm numeric, bill_depth_mm numeric,
                       flipper_length_mm int, body_mass_g int, sex text, year int);
-- Read on the client side, so the server needs no access to the checkout.
\copy penguins FROM PROGRAM 'cat "$PG_ABS_SRCDIR/../scripts/data/penguins.csv"' WITH (FORMAT csv, HEADER, NULL 'NA')
SELECT count(*), count(*) FILTER (WHERE sex IS NULL) AS null_sex FROM penguins;
SELECT model, version, algorithm, (metrics -> 'test' ->> 'accuracy')::float8 > 0.95 AS accurate
FROM dm_train('species', 'penguins', 'species', 'random_forest', options => '{"exclude": ["year"]}');
SELECT model, version, algorithm, (metrics -> 'test' ->> 'r2')::float8 > 0.8 AS r2_ok
FROM dm_train('body_mass', 'penguins', 'body_mass_g', 'linear_regression', options => '{"exclude": ["year"]}');
SELECT species, count(*) AS n, sum((dm_predict_label('species', p) = species)::int) AS right
FROM penguins p GROUP BY species ORDER BY species;
SELECT row_counts FROM dm.models WHERE name = 'body_mass';
