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

\echo '\n== 2. Train on 2007-2008 a classifier (species) and a regressor (body mass); NOTICEs show each step'
CREATE VIEW penguins_0708 AS SELECT * FROM penguins WHERE year < 2009;
CREATE VIEW penguins_09 AS SELECT * FROM penguins WHERE year = 2009;
SELECT model, version, algorithm, deployed,
       round((metrics -> 'test' ->> 'accuracy')::numeric, 3) AS test_accuracy,
       round((metrics -> 'test' ->> 'f1_macro')::numeric, 3) AS test_f1_macro
FROM dm_train('penguin_species', 'penguins_0708', 'species', 'random_forest', options => '{"exclude": ["year"]}');
SELECT model, version, algorithm, deployed,
       round((metrics -> 'test' ->> 'r2')::numeric, 3) AS test_r2,
       round((metrics -> 'test' ->> 'rmse')::numeric, 1) AS test_rmse_g
FROM dm_train('penguin_mass', 'penguins_0708', 'body_mass_g', 'linear_regression', options => '{"exclude": ["year"]}');
-- A second version of the regressor: deployed only if it beats the first on the test rows.
SELECT model, version, algorithm, deployed, round((metrics -> 'test' ->> 'r2')::numeric, 3) AS test_r2
FROM dm_train('penguin_mass', 'penguins_0708', 'body_mass_g', 'random_forest', options => '{"exclude": ["year"]}');

\echo '\n== 3. Evaluate: the catalog, cross-validation, then the unseen 2009 penguins: full metrics, confusion matrix'
-- Each version with the metric it was judged by (options.metric; balanced_accuracy and r2 by
-- default) and the baseline's score: always the most frequent species, or the mean mass.
SELECT name, version, deployed, algorithm, metric, train_score, test_score, baseline_score, rows_used FROM dm.summary;
-- 5-fold cross-validation of a simpler classifier, with its spread.
SELECT model, version, round((metrics -> 'cv' -> 'mean' ->> 'balanced_accuracy')::numeric, 3) AS cv_balanced_accuracy,
       round((metrics -> 'cv' -> 'std' ->> 'balanced_accuracy')::numeric, 3) AS cv_std, deployed
FROM dm_train('penguin_species', 'penguins_0708', 'species', 'logistic_regression',
              options => '{"exclude": ["year"], "cv": 5, "deploy": "never"}');
-- Chinstraps are a fifth of the penguins: class_weight "balanced" makes each species weigh the
-- same in the forest (any classifier but k-NN takes it, or a weight per class).
SELECT model, version, round((metrics -> 'test' ->> 'balanced_accuracy')::numeric, 3) AS test_balanced_accuracy, deployed
FROM dm_train('penguin_species', 'penguins_0708', 'species', 'random_forest', '{"class_weight": "balanced"}',
              options => '{"exclude": ["year"], "deploy": "never"}');
-- A weight per row from a column (options.weight_column, scikit-learn's sample_weight): the 2008
-- penguins count twice as much as the 2007 ones in a regressor of body mass.
SELECT model, version, round((metrics -> 'test' ->> 'r2')::numeric, 3) AS test_r2, deployed
FROM dm_train('penguin_mass', 'SELECT *, year - 2006 AS recency FROM penguins_0708', 'body_mass_g', 'linear_regression',
              options => '{"exclude": ["year"], "weight_column": "recency", "deploy": "never"}');
SELECT key AS metric, round(value::numeric, 4) AS value
FROM jsonb_each_text(dm_evaluate('penguin_species', 'penguins_09') - 'per_class' - 'model')
WHERE key IN ('accuracy', 'balanced_accuracy', 'baseline_accuracy', 'f1_macro', 'mcc', 'log_loss', 'roc_auc') ORDER BY 1;
SELECT * FROM dm_confusion_matrix('penguin_species', 'penguins_09') WHERE count > 0;
SELECT key AS metric, round(value::numeric, 3) AS value
FROM jsonb_each_text(dm_evaluate('penguin_mass', 'penguins_09') - 'model')
WHERE key IN ('r2', 'rmse', 'mae', 'mape', 'max_error') ORDER BY 1;

\echo '\n== 4. Score rows with a plain SELECT: a table row, and a new penguin as jsonb'
SELECT species, island, sex, dm_predict_label('penguin_species', p) AS predicted_species,
       dm_predict_proba('penguin_species', p) AS probabilities,
       body_mass_g, round(dm_predict('penguin_mass', p)::numeric) AS predicted_mass_g
FROM penguins p WHERE year = 2009 ORDER BY bill_length_mm NULLS LAST LIMIT 6;
SELECT dm_model_classes('penguin_species') AS classes,
       dm_predict_label('penguin_species', '{"island": "Biscoe", "bill_length_mm": 47.5, "bill_depth_mm": 14.9,
                        "flipper_length_mm": 215, "body_mass_g": 5100, "sex": "female"}'::jsonb) AS new_penguin;
