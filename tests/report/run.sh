#!/usr/bin/env bash
# dm_report in a real browser (issue 19, item 3): trains a classifier (one with a search, one
# boosted with early stopping), a
# regressor and a clusterer on the penguins, writes their reports and a drift comparison with
# psql exactly as the docs say (psql -XAt -c "SELECT dm_report(...)" > file.html), two standalone
# charts from dm_report_svg, and the numbers the pictures must carry from the SQL functions
# (dm_confusion_matrix, dm_evaluate, dm_cluster, dm_drift, dm.search_trials). Then
# tests/report/browser.py opens all of it in headless Chromium and compares. Screenshots (light
# and dark) are left in $PG_MINING_HOME/report<major>/. Exits 1 if any check fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/pg_env.sh
export PGHOST="$PG_MINING_HOME" PGPORT="$PG_MINING_PORT" PGUSER=postgres
DB=pg_mining_report
OUT="$PG_MINING_HOME/report$PG_MAJOR"
rm -rf "$OUT" && mkdir -p "$OUT"
q() { "$BIN/psql" -X -q -A -t -d "$DB" -v ON_ERROR_STOP=1 -c "$1"; }

"$BIN/psql" -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
q "CREATE EXTENSION pg_mining"
q "CREATE TABLE penguins (species text, island text, bill_length_mm numeric, bill_depth_mm numeric,
                          flipper_length_mm int, body_mass_g int, sex text, year int)"
"$BIN/psql" -X -q -d "$DB" -v ON_ERROR_STOP=1 \
  -c "\\copy penguins FROM 'scripts/data/penguins.csv' WITH (FORMAT csv, HEADER, NULL 'NA')"
q "CREATE VIEW penguins_0708 AS SELECT * FROM penguins WHERE year < 2009;
   CREATE VIEW penguins_09 AS SELECT * FROM penguins WHERE year = 2009;
   CREATE VIEW penguins_09_shifted AS
     SELECT species, island, bill_length_mm * 1.4 AS bill_length_mm, bill_depth_mm,
            flipper_length_mm + 25 AS flipper_length_mm, body_mass_g, sex, year FROM penguins_09;
   CREATE VIEW bills AS SELECT bill_length_mm::float8 AS bill, flipper_length_mm::float8 AS flipper
     FROM penguins WHERE bill_length_mm IS NOT NULL AND flipper_length_mm IS NOT NULL"
{
  q "SET client_min_messages = warning;
     SELECT count(*) FROM dm_train('species', 'penguins_0708', 'species', 'random_forest', options => '{\"exclude\": [\"year\"]}')"
  q "SET client_min_messages = warning;
     SELECT count(*) FROM dm_train('species_search', 'penguins_0708', 'species', 'decision_tree',
       options => '{\"exclude\": [\"year\"], \"search\": {\"method\": \"grid\", \"params\": {\"max_depth\": [1, 2, 6]}, \"folds\": 3}}')"
  q "SET client_min_messages = warning;
     SELECT count(*) FROM dm_train('species_gb', 'penguins_0708', 'species', 'gradient_boosting',
       '{\"n_estimators\": 300, \"n_iter_no_change\": 5, \"learning_rate\": 0.3}',
       '{\"exclude\": [\"year\"], \"split\": {\"validation_size\": 0.2}}')"
  q "SET client_min_messages = warning;
     SELECT count(*) FROM dm_train('mass', 'penguins_0708', 'body_mass_g', 'linear_regression', options => '{\"exclude\": [\"year\"]}')"
  q "SET client_min_messages = warning;
     SELECT count(*) FROM dm_train('groups', 'bills', NULL, 'kmeans', '{\"n_clusters\": 3}')"
} >/dev/null

# The pages, written the way the docs tell users to.
"$BIN/psql" -XAt -d "$DB" -c "SELECT dm_report('species', 'penguins_09')" > "$OUT/species.html"
"$BIN/psql" -XAt -d "$DB" -c "SELECT dm_report('species_search')" > "$OUT/species_search.html"
"$BIN/psql" -XAt -d "$DB" -c "SELECT dm_report('species_gb', 'penguins_09')" > "$OUT/species_gb.html"
"$BIN/psql" -XAt -d "$DB" -c "SELECT dm_report('mass', 'penguins_09')" > "$OUT/mass.html"
"$BIN/psql" -XAt -d "$DB" -c "SELECT dm_report('mass', 'penguins_09_shifted')" > "$OUT/mass_drift.html"
"$BIN/psql" -XAt -d "$DB" -c "SELECT dm_report('groups', 'bills')" > "$OUT/groups.html"
"$BIN/psql" -XAt -d "$DB" -c "SELECT dm_report_svg('species', 'roc', 'penguins_09')" > "$OUT/species_roc.svg"
"$BIN/psql" -XAt -d "$DB" -c "SELECT dm_report_svg('mass', 'feature_importance')" > "$OUT/mass_importance.svg"

# What the pictures must show, from the SQL functions.
q "SELECT jsonb_pretty(jsonb_build_object(
  'species', jsonb_build_object(
     'charts', '[\"confusion_matrix\", \"roc\", \"pr\", \"calibration\", \"gain\", \"probability_histogram\", \"feature_importance\", \"contributions\"]'::jsonb,
     'confusion', (SELECT jsonb_agg(jsonb_build_array(actual, predicted, count)) FROM dm_confusion_matrix('species', 'penguins_09')),
     'roc_auc', (dm_evaluate('species', 'penguins_09') ->> 'roc_auc')::float8),
  'species_search', jsonb_build_object(
     'charts', '[\"confusion_matrix\", \"roc\", \"feature_importance\", \"trials\"]'::jsonb,
     'trials', (SELECT count(*) FROM dm.search_trials WHERE name = 'species_search'),
     'chosen_trial', (SELECT trial FROM dm.search_trials WHERE name = 'species_search' AND chosen)),
  'species_gb', jsonb_build_object(
     'charts', '[\"confusion_matrix\", \"roc\", \"feature_importance\", \"contributions\", \"learning_curve\"]'::jsonb,
     'learning_points', (SELECT (metrics -> 'fit' ->> 'rounds_run')::int FROM dm.models WHERE name = 'species_gb')),
  'mass', jsonb_build_object(
     'charts', '[\"predicted_vs_actual\", \"residual_histogram\", \"residuals_vs_predicted\", \"feature_importance\", \"contributions\", \"drift\"]'::jsonb,
     'points', (SELECT count(*) FROM penguins_09 WHERE body_mass_g IS NOT NULL),
     'drift_columns', (SELECT count(*) FROM dm_drift('mass', 'penguins_09')),
     'drifted', (SELECT coalesce(jsonb_agg(feature), '[]') FROM dm_drift('mass', 'penguins_09') WHERE drifted)),
  'mass_drift', jsonb_build_object(
     'charts', '[\"drift\"]'::jsonb,
     'drift_columns', (SELECT count(*) FROM dm_drift('mass', 'penguins_09_shifted')),
     'drifted', (SELECT coalesce(jsonb_agg(feature), '[]') FROM dm_drift('mass', 'penguins_09_shifted') WHERE drifted)),
  'groups', jsonb_build_object(
     'charts', '[\"cluster_sizes\"]'::jsonb,
     'clusters', (SELECT jsonb_agg(jsonb_build_array(c, n)) FROM
                  (SELECT dm_cluster('groups', b) AS c, count(*) AS n FROM bills b GROUP BY 1) s))))" \
  > "$OUT/expectations.json"

# A drift comparison must show drift, or the check above proves nothing.
if ! grep -q '"flipper_length_mm"' "$OUT/expectations.json"; then
  echo "FAIL the shifted relation shows no drifted flipper_length_mm in dm_drift"; exit 1
fi
echo "report: pages and expectations in $OUT"
/usr/bin/python3 tests/report/browser.py "$OUT" "$OUT/expectations.json"
echo "report: screenshots in $OUT"
