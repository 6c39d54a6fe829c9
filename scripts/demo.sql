-- pg_mining demo on the Palmer penguins (see scripts/data/README.md): load, train a classifier
-- and a regressor, evaluate them, score rows with plain SELECTs.
\set ON_ERROR_STOP on
\pset footer off
CREATE EXTENSION pg_mining;

\echo '\n== 1. Load the data: 344 penguins, some NULLs, text and numeric columns'
CREATE TABLE penguins (species text, island text, bill_length_mm numeric, bill_depth_mm numeric,
                       flipper_length_mm int, body_mass_g int, sex text, year int);
\copy penguins FROM PROGRAM 'cat "$PENGUINS_CSV"' WITH (FORMAT csv, HEADER, NULL 'NA')
SELECT count(*) AS penguins, count(*) FILTER (WHERE sex IS NULL) AS missing_sex,
       count(DISTINCT species) AS species, count(DISTINCT island) AS islands FROM penguins;

\echo '\n== 2. Train a classifier (species) and a regressor (body mass); NOTICEs show each step'
SELECT model, version, algorithm, deployed,
       round((metrics -> 'test' ->> 'accuracy')::numeric, 3) AS test_accuracy,
       round((metrics -> 'test' ->> 'f1_macro')::numeric, 3) AS test_f1_macro
FROM dm_train('penguin_species', 'penguins', 'species', 'random_forest', options => '{"exclude": ["year"]}');
SELECT model, version, algorithm, deployed,
       round((metrics -> 'test' ->> 'r2')::numeric, 3) AS test_r2,
       round((metrics -> 'test' ->> 'rmse')::numeric, 1) AS test_rmse_g
FROM dm_train('penguin_mass', 'penguins', 'body_mass_g', 'linear_regression', options => '{"exclude": ["year"]}');
-- A second version of the regressor: deployed only if it beats the first on the test rows.
SELECT model, version, algorithm, deployed, round((metrics -> 'test' ->> 'r2')::numeric, 3) AS test_r2
FROM dm_train('penguin_mass', 'penguins', 'body_mass_g', 'random_forest', options => '{"exclude": ["year"]}');

\echo '\n== 3. Evaluate: the catalog, then plain SQL over the whole table'
SELECT name, version, deployed, algorithm, metric, train_score, test_score, rows_used FROM dm.summary;
SELECT species AS actual, dm_predict_label('penguin_species', p) AS predicted, count(*)
FROM penguins p GROUP BY 1, 2 ORDER BY 1, 2;
SELECT round(sqrt(avg((dm_predict('penguin_mass', p) - body_mass_g) ^ 2))::numeric, 1) AS rmse_g,
       round(avg(abs(dm_predict('penguin_mass', p) - body_mass_g))::numeric, 1) AS mae_g
FROM penguins p WHERE body_mass_g IS NOT NULL;

\echo '\n== 4. Score rows with a plain SELECT: a table row, and a new penguin as jsonb'
SELECT species, island, sex, dm_predict_label('penguin_species', p) AS predicted_species,
       dm_predict_proba('penguin_species', p) AS probabilities,
       body_mass_g, round(dm_predict('penguin_mass', p)::numeric) AS predicted_mass_g
FROM penguins p WHERE year = 2009 ORDER BY bill_length_mm NULLS LAST LIMIT 6;
SELECT dm_model_classes('penguin_species') AS classes,
       dm_predict_label('penguin_species', '{"island": "Biscoe", "bill_length_mm": 47.5, "bill_depth_mm": 14.9,
                        "flipper_length_mm": 215, "body_mass_g": 5100, "sex": "female"}'::jsonb) AS new_penguin;
