#!/usr/bin/env python3
"""Writes tests/sql/corpus.sql: the bad-input corpus (issue 15, item 8). Every SQL function and
aggregate of sql/docs/functions.md gets each kind of argument its parameters can be handed —
NULLs, empty and huge values, NaN/Infinity, wrong types, injection strings, unicode, 64-char
names, numbers beyond float8 in JSON, one row, one class, all-NULL columns, 1,500 columns,
duplicate column names, views, partitioned tables, generated columns. The scenario runs every
case in a subtransaction and prints its outcome ("ok" or SQLSTATE: message), then the counts,
and checks that no case was an internal error (XX000) and that the session and the server
survived (same backend pid, same postmaster start time).
Usage: python3 scripts/corpus.py [--check]   (--check: exit 1 if the file differs)."""
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
TARGET = ROOT / "tests/sql/corpus.sql"


def lit(s):
    """A SQL literal for s (None: NULL)."""
    if s is None:
        return "NULL"
    return "'" + s.replace("'", "''") + "'"


NAMES = [None, "", "nope", "x" * 64, "y" * 63, "cls'; DROP TABLE cp; --", "modèle", "cls@0",
         "cls@-1", "cls@99", "cls@abc", "cls@1@2", " cls", "CLS", "cls@", "@1", "a b", "cls\\",
         "cls@2147483648", "reg@1"]
RELATIONS = [None, "", "nope", "cp; DROP TABLE cp", "SELECT 1/0", "SELECT * FROM nope",
             "SELECT 1) s; DROP TABLE cp; --", "empty", "one_row", "cp_view", "cp_part", "cp_gen",
             "all_null", "nan_tbl", "wide", "SELECT a, a, label FROM cp", "public.cp", "\"cp\"",
             "pg_temp.nope", "DELETE FROM cp RETURNING *", "VALUES (1, 2)", "TABLE cp",
             "SELECT * FROM cp WHERE false", "unicode_tbl", "x" * 70]
TARGETS = [None, "", "nope", "a", "c", "d", "id", "\"label\"", "lab\"el", "naïve", "x" * 64]
ALGORITHMS = ["linear_regression", "ridge", "lasso", "elastic_net", "logistic_regression",
              "decision_tree", "random_forest", "extra_trees", "gradient_boosting", "knn",
              "naive_bayes", "mlp", "svm", "svr", "kmeans", "dbscan", "isolation_forest", "pca",
              "auto", "", None, "nope", "RANDOM_FOREST", "random_forest ", "svm; DROP TABLE cp"]
JSONS = [None, "[]", "1", "\"x\"", "null", "{\"max_depth\": 1e309}", "{\"max_depth\": -1}",
         "{\"max_depth\": \"3\"}", "{\"max_depth\": 3.5}", "{\"n_estimators\": 1e9}",
         "{\"nope\": 1}", "{\"a\": {\"b\": {\"c\": [1, [2, [3]]]}}}", "{\"" + "k" * 200 + "\": 1}",
         "{\"max_depth\": null}", "{\"C\": 0}", "{\"C\": -1e-300}", "{\"alpha\": \"NaN\"}",
         "{\"hidden_layer_sizes\": []}", "{\"hidden_layer_sizes\": [0]}", "{\"n_clusters\": 0}"]
OPTIONS = [None, "[]", "{\"test_size\": 0}", "{\"test_size\": 1}", "{\"test_size\": -0.1}",
           "{\"test_size\": \"x\"}", "{\"cv\": 1}", "{\"cv\": 100000}", "{\"deploy\": \"sometimes\"}",
           "{\"exclude\": [\"nope\"]}", "{\"features\": []}", "{\"features\": [\"label\"]}",
           "{\"seed\": 1e400}", "{\"seed\": -1}", "{\"nope\": true}", "{\"split\": {\"method\": \"x\"}}",
           "{\"search\": {\"max_depth\": []}}", "{\"time_budget_s\": -5}", "{\"dedup\": \"yes\"}",
           "{\"max_categories\": 0}", "{\"calibration\": \"platt\"}", "{\"calibration\": 1}",
           "{\"calibration\": \"isotonic\"}", "{\"split\": {\"group_by\": \"nope\"}}",
           "{\"split\": {\"method\": \"group\"}}", "{\"weight_column\": \"nope\"}",
           "{\"weight_column\": \"d\"}", "{\"weight_column\": \"label\"}", "{\"weight_column\": 1}",
           "{\"weight_column\": \"a\", \"features\": [\"a\"]}"]
INPUTS = ["NULL::float8[]", "ARRAY[]::float8[]", "ARRAY['NaN']::float8[]",
          "ARRAY['Infinity', 1, 2, 3]::float8[]", "ARRAY[1, 2]::float8[]",
          "(SELECT array_agg(i::float8) FROM generate_series(1, 2000) i)",
          "ARRAY[[1, 2], [3, 4]]::float8[]", "'{}'::jsonb", "'[]'::jsonb", "'{\"a\": \"NaN\"}'::jsonb",
          "'{\"a\": 1e400}'::jsonb", "'{\"a\": [1]}'::jsonb", "'{\"a\": {\"b\": 1}}'::jsonb",
          "'{\"a\": true, \"b\": \"x\", \"c\": 1}'::jsonb", "'text'::text", "42", "ROW()",
          "ROW(1, 2, 3, 4, 5, 6, 7, 8)", "(SELECT c FROM cp c WHERE id = 1)",
          "(SELECT o FROM one_row o)", "ARRAY[1, 2, 3, 4]::int[]", "ARRAY['a', 'b']::text[]",
          "NULL::jsonb", "'{\"a\": 1, \"b\": 2, \"c\": \"x\", \"d\": true}'::jsonb",
          "ROW(1e400::numeric, 2, 'x'::text)", "ROW(-1e400::numeric, 2, 'x'::text)"]
MODELS_FOR_INPUT = ["cls", "reg", "km", "iso", "pc", "tree", "knn_m", "nope", None]


def main():
    cases = []

    def case(fn, q):
        cases.append((fn, q))

    # dm_train: each argument's kinds with the others valid.
    base = dict(model="'t_new'", relation="'cp'", target="'label'", algorithm="'decision_tree'",
                hyperparams="'{}'", options="'{\"deploy\": \"never\"}'")

    def train(**over):
        a = dict(base, **over)
        case("dm_train", "SELECT * FROM dm_train({model}, {relation}, {target}, {algorithm}, {hyperparams}, {options})".format(**a))

    for n in NAMES:
        train(model=lit(n))
    for r in RELATIONS:
        train(relation=lit(r))
    for t in TARGETS:
        train(target=lit(t))
    for al in ALGORITHMS:
        train(algorithm=lit(al), target="NULL" if al in ("kmeans", "dbscan", "isolation_forest", "pca") else "'label'",
              relation="'SELECT a, b, c, label FROM cp'" if al not in ("svm", "svr") else "'SELECT a, b, label FROM cp'")
    for j in JSONS:
        train(hyperparams=lit(j))
    for o in OPTIONS:
        train(options=lit(o))
    for m in ["nope", "", "recall", "rmse", "R2", "x" * 100, "f1_macro; DROP TABLE cp"]:
        train(options=lit(json.dumps({"metric": m})))
    for m in ["null", "[]", "1", "{}"]:
        train(options=lit('{"metric": ' + m + '}'))
    for r in ["one_row", "one_class", "all_null", "wide", "nan_tbl", "cp_part", "cp_gen", "unicode_tbl", "huge_num"]:
        for al in ["logistic_regression", "random_forest", "knn", "kmeans"]:
            target = "NULL" if al == "kmeans" else ("'naïve'" if r == "unicode_tbl" else "'label'")
            train(relation=lit(r), algorithm=lit(al), target=target)

    # Scoring functions: every model kind with every input kind.
    for fn in ["dm_predict", "dm_predict_label", "dm_predict_proba", "dm_explain", "dm_cluster",
               "dm_anomaly_score", "dm_is_anomaly", "dm_transform"]:
        for m in MODELS_FOR_INPUT:
            for inp in (INPUTS if m == "cls" else INPUTS[:: 4]):
                case(fn, f"SELECT {fn}({lit(m)}, {inp})")
    for fn in ["dm_predict", "dm_predict_label", "dm_explain"]:
        for n in NAMES:
            case(fn, f"SELECT {fn}({lit(n)}, ARRAY[1, 2, 3, 4]::float8[])")
    # Explanations' top k, and the rows form, for every model kind.
    for m in MODELS_FOR_INPUT:
        for inp in INPUTS[:: 6]:
            case("dm_attributions", f"SELECT * FROM dm_attributions({lit(m)}, {inp})")
    for k in ["1", "3", "0", "-1", "NULL", "2147483647", "100000"]:
        for m in ["cls", "reg", "knn_m", "km"]:
            case("dm_explain", f"SELECT dm_explain({lit(m)}, (SELECT c FROM cp c WHERE id = 1), top_k => {k})")
            case("dm_attributions", f"SELECT * FROM dm_attributions({lit(m)}, (SELECT c FROM cp c WHERE id = 1), {k})")

    # Inspection.
    for fn in ["dm_model_classes", "dm_coefficients", "dm_feature_importance", "dm_rollback"]:
        for n in NAMES + ["cls", "reg", "km", "iso", "pc", "knn_m"]:
            q = f"SELECT {fn}({lit(n)})" if fn in ("dm_model_classes", "dm_rollback") else f"SELECT * FROM {fn}({lit(n)})"
            if fn == "dm_rollback" and n in ("cls", "reg", "km", "iso", "pc", "knn_m"):
                continue
            case(fn, q)

    # Evaluation over relations.
    for fn, extra in [("dm_evaluate", ""), ("dm_confusion_matrix", ""), ("dm_roc_curve", ""),
                      ("dm_pr_curve", ""), ("dm_drift", "")]:
        for m in ["cls", "reg", "km", "nope", None]:
            for r in ["cp", None, "", "nope", "empty", "SELECT a FROM cp", "SELECT 1/0", "all_null", "nan_tbl", "cp_view"]:
                q = f"SELECT * FROM {fn}({lit(m)}, {lit(r)})" if fn != "dm_evaluate" else f"SELECT {fn}({lit(m)}, {lit(r)})"
                case(fn, q)
    for g in ["nope", "c", "", None, "label", "x" * 64]:
        case("dm_evaluate", f"SELECT dm_evaluate('cls', 'cp', {lit(g)})")
    for m in ["cls", "reg", "km"]:
        for rows in ["test", "train", "validation", "unseen", "all", "", None, "TEST", "x" * 100, "test'; --"]:
            case("dm_evaluate", f"SELECT dm_evaluate({lit(m)}, 'cp', rows => {lit(rows)})")
    for r in ["empty", "all_null", "SELECT a FROM cp", "one_row"]:
        case("dm_evaluate", f"SELECT dm_evaluate('cls', {lit(r)}, rows => 'test')")
    for m in ["cls", "reg", "km", "nope", None]:
        for r in ["cp", None, "", "empty", "all_null", "nan_tbl", "one_row", "SELECT 1/0"]:
            case("dm_fairness", f"SELECT dm_fairness({lit(m)}, {lit(r)}, 'c')")
    for m in ["cls", "reg", "km", None]:
        for b in ["10", "0", "-1", "1", "1000", "1001", "NULL", "2147483647"]:
            case("dm_calibration_curve", f"SELECT * FROM dm_calibration_curve({lit(m)}, 'cp', {b})")
    for st in ["uniform", "quantile", "", None, "UNIFORM", "x" * 80]:
        case("dm_calibration_curve", f"SELECT * FROM dm_calibration_curve('cls', 'cp', 10, {lit(st)})")
    for r in [None, "", "empty", "all_null", "one_row", "SELECT 1/0"]:
        case("dm_calibration_curve", f"SELECT * FROM dm_calibration_curve('cls', {lit(r)})")
    for m in ["reg", "cls", "km", "nope", None, "reg@99"]:
        for a in ["0.1", "0", "1", "-1", "'NaN'", "'Infinity'", "1e-300", "NULL", "0.999999"]:
            case("dm_predict_interval", f"SELECT dm_predict_interval({lit(m)}, ARRAY['1', '2', 'x'], {a})")
    for inp in ["NULL::float8[]", "ARRAY[]::float8[]", "ARRAY['NaN']::float8[]", "'{}'::jsonb", "'{\"a\": \"x\"}'::jsonb", "ROW(1)"]:
        case("dm_predict_interval", f"SELECT dm_predict_interval('reg', {inp})")
    for sens in ["'c'", "'nope'", "NULL::text", "''", "ARRAY[]::text[]", "ARRAY[NULL]::text[]", "ARRAY['c', 'c']",
                 "ARRAY['c', 'label']", "'a'", "ARRAY['c', 'a', 'b', 'label']", "'" + "x" * 64 + "'", "'c''; --'"]:
        case("dm_fairness", f"SELECT dm_fairness('cls', 'cp', {sens})")
    for pos in ["'nope'", "''", "NULL", "'yes'", "'no'"]:
        case("dm_fairness", f"SELECT dm_fairness('cls', 'cp', 'c', {pos})")
    for rows in ["test", "unseen", "", None, "x" * 100]:
        case("dm_fairness", f"SELECT dm_fairness('cls', 'cp', 'c', rows => {lit(rows)})")
    for pos in ["nope", "", None, "yes", "x" * 100]:
        case("dm_roc_curve", f"SELECT * FROM dm_roc_curve('cls', 'cp', {lit(pos)})")
        case("dm_pr_curve", f"SELECT * FROM dm_pr_curve('cls', 'cp', {lit(pos)})")
    for th in ["0", "-1", "'NaN'", "'Infinity'", "NULL", "1e308"]:
        case("dm_drift", f"SELECT * FROM dm_drift('cls', 'cp', {th})")

    # Reports: every model kind on every relation kind, the options, every chart name.
    for m in ["cls", "reg", "km", "iso", "pc", "nope", None]:
        for r in [None, "cp", "", "nope", "empty", "SELECT a FROM cp", "SELECT 1/0", "all_null", "nan_tbl", "cp_view"]:
            case("dm_report", f"SELECT length(dm_report({lit(m)}, {lit(r)})) > 0")
    for opt in ["'{}'", "NULL", "'[]'", "'{\"rows\": \"test\"}'", "'{\"rows\": 1}'", "'{\"drift_threshold\": 0}'",
                "'{\"drift_threshold\": \"x\"}'", "'{\"nope\": 1}'", "'{\"rows\": \"unseen\", \"drift_threshold\": 1e308}'"]:
        case("dm_report", f"SELECT length(dm_report('cls', 'cp', {opt})) > 0")
    CHARTS = ["confusion_matrix", "roc", "pr", "calibration", "gain", "probability_histogram", "predicted_vs_actual",
              "residual_histogram", "residuals_vs_predicted", "feature_importance", "trials", "cluster_sizes",
              "anomaly_scores", "drift"]
    for m in ["cls", "reg", "km", "iso", "nope", None]:
        for chart in CHARTS + [None, "", "nope", "ROC", "x" * 100]:
            case("dm_report_svg", f"SELECT length(dm_report_svg({lit(m)}, {lit(chart)}, 'cp')) > 0")

    # Privileges (before the lifecycle cases drop cls).
    ROLES = [None, "", "nope", "public", "PUBLIC", "postgres", "x" * 64, "r'; DROP TABLE cp; --",
             "\"postgres\"", "pg_read_all_data", "rôle"]
    PRIVS = [None, "", "nope", "score", "SCORE", "manage", "score, train", "x" * 100]
    for n in NAMES:
        case("dm_grant", f"SELECT dm_grant({lit(n)}, 'public', 'score')")
        case("dm_revoke", f"SELECT dm_revoke({lit(n)}, 'public')")
        case("dm_has_model_privilege", f"SELECT dm_has_model_privilege({lit(n)}, 'score')")
    for r in ROLES:
        case("dm_grant", f"SELECT dm_grant('cls', {lit(r)}, 'score')")
        case("dm_revoke", f"SELECT dm_revoke('cls', {lit(r)}, 'score')")
    for pr in PRIVS:
        case("dm_grant", f"SELECT dm_grant('cls', 'public', {lit(pr)})")
        case("dm_revoke", f"SELECT dm_revoke('cls', 'public', {lit(pr)})")
        case("dm_has_model_privilege", f"SELECT dm_has_model_privilege('cls', {lit(pr)})")

    # Decision thresholds.
    for n in [None, "", "nope", "reg", "km", "cls", "x" * 64]:
        case("dm_set_threshold", f"SELECT dm_set_threshold({lit(n)}, 1, 0.5)")
    for v in ["NULL", "0", "-1", "99", "2147483647"]:
        case("dm_set_threshold", f"SELECT dm_set_threshold('cls', {v}, 0.5)")
    for t in ["NULL", "0", "1", "1.5", "-0.1", "'NaN'", "'Infinity'", "1e-300", "0.3"]:
        case("dm_set_threshold", f"SELECT dm_set_threshold('cls', 1, {t})")

    # Lifecycle.
    for v in ["0", "-1", "99", "NULL", "2147483647"]:
        case("dm_deploy", f"SELECT dm_deploy('cls', {v})")
        case("dm_drop_model", f"SELECT dm_drop_model('cls', {v})")
    for n in NAMES:
        case("dm_deploy", f"SELECT dm_deploy({lit(n)}, 1)")
        case("dm_drop_model", f"SELECT dm_drop_model({lit(n)})")
    for fname in [None, "", "bad name!", "x" * 64, "\"quoted\"", "public.f_ok", "f; DROP TABLE cp",
                  "nope.f", "predict_cls"]:
        case("dm_create_predict_function", f"SELECT dm_create_predict_function('cls', {lit(fname)}, true)")
    for m in ["km", "nope", None, "x" * 64]:
        case("dm_create_predict_function", f"SELECT dm_create_predict_function({lit(m)})")

    # The scoring trigger, declared wrongly.
    for i, (timing, level, args) in enumerate([
            ("BEFORE", "ROW", ""), ("BEFORE", "ROW", "'cls'"), ("BEFORE", "ROW", "'cls', 'nope'"),
            ("AFTER", "ROW", "'cls', 'p'"), ("BEFORE", "STATEMENT", "'cls', 'p'"),
            ("BEFORE", "ROW", "'nope', 'p'"), ("BEFORE", "ROW", "'cls', 'p', 'weird'"),
            ("BEFORE", "ROW", "'cls', 'p', 'proba'"), ("BEFORE", "ROW", "'reg', 'c'"),
            ("BEFORE", "ROW", "'cls', 'p', 'label', 'extra'")]):
        case("dm_score_trigger", "DO $t$ BEGIN "
             f"CREATE TEMP TABLE trg{i} (a float8, b int, c text, p int); "
             f"CREATE TRIGGER s BEFORE INSERT ON trg{i} FOR EACH ROW EXECUTE FUNCTION dm_score_trigger({args}); "
             f"INSERT INTO trg{i} (a, b, c) VALUES (1, 2, 'x'); END $t$".replace(
                 "BEFORE INSERT ON", f"{timing} INSERT ON").replace("FOR EACH ROW", f"FOR EACH {level}"))

    # Aggregates.
    for a, b in [("label", "label"), ("NULL::text", "label"), ("label", "id::text"), ("a", "label"),
                 ("'x'", "'x'"), ("NULL::int", "NULL::int"), ("d", "d"), ("ARRAY[1]", "ARRAY[1]")]:
        case("dm_classification_metrics", f"SELECT dm_classification_metrics({a}, {b}) FROM cp")
    for th in ["-1", "2", "'NaN'", "NULL", "0.5"]:
        case("dm_classification_metrics", f"SELECT dm_classification_metrics(d, a / 100, {th}) FROM cp")
    for a, b in [("a", "y"), ("'NaN'::float8", "y"), ("'Infinity'::float8", "y"), ("NULL::float8", "y"), ("a", "a")]:
        case("dm_regression_metrics", f"SELECT dm_regression_metrics({a}, {b}) FROM cp")
        case("dm_regression_metrics", f"SELECT dm_regression_metrics({a}, {b}) FROM empty")
    for x, l in [("ARRAY[a, b]", "(id % 3)::bigint"), ("ARRAY[a]", "0::bigint"), ("ARRAY[]::float8[]", "1::bigint"),
                 ("CASE WHEN id = 1 THEN ARRAY[a] ELSE ARRAY[a, b] END", "(id % 2)::bigint"),
                 ("ARRAY['NaN'::float8]", "(id % 2)::bigint"), ("ARRAY[a, b]", "NULL::bigint"),
                 ("NULL::float8[]", "1::bigint"), ("ARRAY[a, b]", "-1::bigint")]:
        case("dm_clustering_metrics", f"SELECT dm_clustering_metrics({x}, {l}) FROM cp")
    for k in ["0", "-1", "100000", "NULL", "3", "2147483647"]:
        case("dm_kmeans", f"SELECT dm_kmeans(ARRAY[a, b], {k}) IS NULL FROM cp")
    for x in ["ARRAY[]::float8[]", "ARRAY['NaN'::float8, b]", "CASE WHEN id = 1 THEN ARRAY[a] ELSE ARRAY[a, b] END",
              "NULL::float8[]", "ARRAY[a, 'Infinity']"]:
        case("dm_kmeans", f"SELECT dm_kmeans({x}, 2) IS NULL FROM cp")
    for o in ["{\"n_init\": 0}", "{\"nope\": 1}", "[]", "{\"seed\": 1e400}", "{\"max_iter\": -1}", "{\"tol\": \"x\"}"]:
        case("dm_kmeans", f"SELECT dm_kmeans(ARRAY[a, b], 2, {lit(o)}) IS NULL FROM cp")

    # Association mining.
    for r, tx, item in [("baskets_t", "tx", "item"), (None, "tx", "item"), ("baskets_t", None, "item"),
                        ("baskets_t", "nope", "item"), ("baskets_t", "tx", "nope"), ("empty", "id", "a"),
                        ("baskets_t", "tx", "tx"), ("SELECT 1/0", "a", "b"), ("cp", "c", "label"),
                        ("cp", "a", "c"), ("baskets_t", "\"tx\"", "item"), ("wide", "c1", "c2")]:
        for fn in ["dm_frequent_itemsets", "dm_association_rules"]:
            case(fn, f"SELECT count(*) FROM {fn}({lit(r)}, {lit(tx)}, {lit(item)}, 0.1)")
    for s in ["0", "-0.5", "1.5", "'NaN'", "NULL", "1e-300", "1"]:
        case("dm_frequent_itemsets", f"SELECT count(*) FROM dm_frequent_itemsets('baskets_t', 'tx', 'item', {s})")
        case("dm_association_rules", f"SELECT count(*) FROM dm_association_rules('baskets_t', 'tx', 'item', 0.1, {s})")
    for o in ["{\"max_len\": 1e400}", "{\"max_len\": 0}", "{\"max_rules\": 1}", "[]", "{\"x\": 1}"]:
        case("dm_association_rules", f"SELECT count(*) FROM dm_association_rules('baskets_t', 'tx', 'item', 0.01, 0.1, {lit(o)})")

    lines = [
        "-- Generated by scripts/corpus.py: edit that script, not this file.",
        "-- The bad-input corpus (issue 15, item 8): every case runs in a subtransaction and prints",
        "-- ok or SQLSTATE: message; then the counts, and whether the session and the server",
        "-- survived. No case may be an internal error (XX000).",
        "-- Runs in a database of its own: its tables and models do not meet the other scenarios'.",
        "SET client_min_messages = error;",
        "DROP DATABASE IF EXISTS pg_mining_corpus;",
        "CREATE DATABASE pg_mining_corpus;",
        "\\c pg_mining_corpus",
        "SET client_min_messages = error;",
        "CREATE EXTENSION pg_mining;",
        "SELECT pg_backend_pid() AS pid0, pg_postmaster_start_time() AS up0 \\gset",
        "CREATE TABLE cp AS SELECT i AS id, (i % 17)::float8 / 3 AS a, i % 5 AS b, (ARRAY['x', 'y', 'z'])[1 + i % 3] AS c,",
        "       i % 4 = 0 AS d, (i % 13)::float8 * 2 + (i % 5) AS y, CASE WHEN (i % 17) + (i % 5) > 10 THEN 'yes' ELSE 'no' END AS label",
        "FROM generate_series(1, 300) i;",
        "CREATE TABLE empty (LIKE cp);",
        "CREATE TABLE one_row AS SELECT * FROM cp WHERE id = 1;",
        "CREATE TABLE one_class AS SELECT id, a, b, c, 'same' AS label FROM cp;",
        "CREATE TABLE all_null AS SELECT id, NULL::float8 AS a, NULL::int AS b, NULL::text AS c, label, y FROM cp;",
        "CREATE TABLE nan_tbl AS SELECT id, CASE WHEN id % 3 = 0 THEN 'NaN'::float8 WHEN id % 3 = 1 THEN 'Infinity'::float8 ELSE a END AS a, b, c, label, y FROM cp;",
        "CREATE VIEW cp_view AS SELECT a, b, c, label FROM cp;",
        "CREATE TABLE huge_num AS SELECT id, CASE WHEN id = 7 THEN 1e400 ELSE a::numeric END AS a, b, c, label FROM cp;",
        "CREATE TABLE cp_part (id int, a float8, b int, c text, label text) PARTITION BY RANGE (id);",
        "CREATE TABLE cp_part_1 PARTITION OF cp_part FOR VALUES FROM (0) TO (150);",
        "CREATE TABLE cp_part_2 PARTITION OF cp_part FOR VALUES FROM (150) TO (1000);",
        "INSERT INTO cp_part SELECT id, a, b, c, label FROM cp;",
        "CREATE TABLE cp_gen (id int, a float8, b int, a2 float8 GENERATED ALWAYS AS (a * 2) STORED, label text);",
        "INSERT INTO cp_gen (id, a, b, label) SELECT id, a, b, label FROM cp;",
        "CREATE TABLE unicode_tbl AS SELECT a AS \"été\", b AS \"日本\", label AS \"naïve\" FROM cp;",
        "CREATE TABLE baskets_t AS SELECT i / 3 AS tx, 'item' || (i % 7) AS item FROM generate_series(1, 300) i;",
        "DO $w$ BEGIN EXECUTE 'CREATE TABLE wide AS SELECT i AS id, ' || (SELECT string_agg(format('(i * %s %% 7)::int2 AS c%s', k, k), ', ') FROM generate_series(1, 1500) k) || ', CASE WHEN i % 2 = 0 THEN ''a'' ELSE ''b'' END AS label FROM generate_series(1, 60) i'; END $w$;",
        "SELECT count(*) AS models FROM (",
        "  SELECT dm_train('cls', 'SELECT a, b, c, label FROM cp', 'label', 'logistic_regression')",
        "  UNION ALL SELECT dm_train('reg', 'SELECT a, b, c, y FROM cp', 'y', 'linear_regression')",
        "  UNION ALL SELECT dm_train('km', 'SELECT a, b FROM cp', NULL, 'kmeans', '{\"n_clusters\": 3}')",
        "  UNION ALL SELECT dm_train('iso', 'SELECT a, b FROM cp', NULL, 'isolation_forest')",
        "  UNION ALL SELECT dm_train('pc', 'SELECT a, b, y FROM cp', NULL, 'pca')",
        "  UNION ALL SELECT dm_train('tree', 'SELECT a, b, c, label FROM cp', 'label', 'decision_tree')",
        "  UNION ALL SELECT dm_train('knn_m', 'SELECT a, b, label FROM cp', 'label', 'knn')) t;",
        "CREATE TABLE corpus (id serial PRIMARY KEY, fn text NOT NULL, q text NOT NULL);",
        "CREATE FUNCTION pg_temp.outcome(q text) RETURNS text LANGUAGE plpgsql AS $o$",
        "BEGIN",
        "  EXECUTE q;",
        "  RETURN 'ok';",
        "EXCEPTION WHEN OTHERS THEN",
        "  RETURN SQLSTATE || ': ' || SQLERRM;",
        "END $o$;",
        "INSERT INTO corpus (fn, q) VALUES",
    ]
    lines.append(",\n".join(f"({lit(fn)}, {lit(q)})" for fn, q in cases) + ";")
    lines += [
        "CREATE TABLE outcomes AS SELECT id, fn, q, pg_temp.outcome(q) AS outcome FROM corpus ORDER BY id;",
        "SELECT id, fn, left(outcome, 160) AS outcome FROM outcomes ORDER BY id;",
        "SELECT count(*) AS cases, count(*) FILTER (WHERE outcome = 'ok') AS accepted,",
        "       count(*) FILTER (WHERE outcome <> 'ok') AS clean_errors,",
        "       count(*) FILTER (WHERE outcome LIKE 'XX%') AS internal_errors,",
        "       count(DISTINCT fn) AS functions FROM outcomes;",
        "SELECT left(outcome, 5) AS sqlstate, count(*) FROM outcomes WHERE outcome <> 'ok' GROUP BY 1 ORDER BY 1;",
        "SELECT pg_backend_pid() = :pid0 AS same_backend, pg_postmaster_start_time() = :'up0' AS same_server,",
        "       (SELECT count(*) FROM cp) AS cp_rows_still;",
        "\\c pg_mining_regress",
        "DROP DATABASE pg_mining_corpus;",
    ]
    text = "\n".join(lines) + "\n"
    if "--check" in sys.argv:
        if TARGET.read_text() != text:
            sys.exit(f"{TARGET} is not what scripts/corpus.py writes: run python3 scripts/corpus.py")
        return
    TARGET.write_text(text)
    print(f"{len(cases)} cases written to {TARGET.relative_to(ROOT)}")


main()
