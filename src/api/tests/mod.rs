//! #[pg_test]s: the SQL functions inside a real backend (each test in its own transaction).

#[pgrx::pg_schema]
mod tests {
    use pgrx::prelude::*;

    fn sql(q: &str) {
        Spi::run(q).expect(q);
    }

    fn one<T: pgrx::FromDatum + pgrx::IntoDatum>(q: &str) -> T {
        Spi::get_one::<T>(q).expect(q).expect("NULL")
    }

    /// 200 rows: y = 'hi' when x > 50 (with a text column that matters a little), v = 3x + 2.
    fn fixture() {
        sql("SET client_min_messages = warning");
        sql("CREATE TABLE t AS SELECT i, (i % 100)::float8 AS x, CASE WHEN i % 3 = 0 THEN 'red' ELSE 'blue' END AS c, \
             CASE WHEN i % 100 > 50 THEN 'hi' ELSE 'lo' END AS y, (i % 100) > 50 AS b, 3.0 * (i % 100) + 2 AS v \
             FROM generate_series(1, 200) i");
    }

    /// Any role may set pg_mining.threads, but not above the superuser's pg_mining.max_threads
    /// (whose default is the number of CPUs).
    #[pg_test]
    fn threads_are_capped_by_the_superuser_setting() {
        sql("SET pg_mining.max_threads = 1");
        sql("SET pg_mining.threads = 64");
        assert_eq!(crate::threads(), 1);
        sql("SET pg_mining.max_threads = 3");
        sql("SET pg_mining.threads = 2");
        assert_eq!(crate::threads(), 2);
        sql("RESET pg_mining.max_threads");
        sql("SET pg_mining.threads = 1000");
        let cpus = std::thread::available_parallelism().map_or(2, |n| n.get());
        assert_eq!(crate::threads(), cpus);
        let context: String =
            one("SELECT context FROM pg_settings WHERE name = 'pg_mining.max_threads'");
        assert_eq!(context, "superuser");
    }

    #[pg_test]
    fn every_input_form_gives_the_same_prediction() {
        fixture();
        sql("SELECT * FROM dm_train('m', 'SELECT x, c, y FROM t', 'y', 'logistic_regression')");
        let row: String = one("SELECT dm_predict_label('m', t) FROM t WHERE i = 90");
        let anon: String = one("SELECT dm_predict_label('m', ROW(90.0, 'red'::text))");
        let arr: String = one("SELECT dm_predict_label('m', ARRAY['90', 'red'])");
        let json: String =
            one("SELECT dm_predict_label('m', '{\"x\": 90, \"c\": \"red\"}'::jsonb)");
        assert_eq!(row, "hi");
        assert_eq!(
            (anon.as_str(), arr.as_str(), json.as_str()),
            ("hi", "hi", "hi")
        );
        let p: Vec<f64> = one("SELECT dm_predict_proba('m', t) FROM t WHERE i = 90");
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-9 && p[0] > 0.5);
        let classes: Vec<String> = one("SELECT dm_model_classes('m')");
        assert_eq!(classes, vec!["hi", "lo"]);
    }

    #[pg_test]
    fn regression_is_close_and_numeric_arrays_work() {
        fixture();
        sql("SELECT * FROM dm_train('r', 'SELECT x, v FROM t', 'v', 'linear_regression')");
        let v: f64 = one("SELECT dm_predict('r', ARRAY[10.0])");
        assert!((v - 32.0).abs() < 1e-6, "{v}");
        let r2: f64 =
            one("SELECT (metrics -> 'test' ->> 'r2')::float8 FROM dm.models WHERE name = 'r'");
        assert!(r2 > 0.999);
    }

    #[pg_test]
    fn boolean_labels_come_back_as_numbers_and_text() {
        fixture();
        sql("SELECT * FROM dm_train('b', 'SELECT x, b FROM t', 'b', 'decision_tree')");
        assert_eq!(one::<f64>("SELECT dm_predict('b', ARRAY[99.0])"), 1.0);
        assert_eq!(
            one::<String>("SELECT dm_predict_label('b', ARRAY[1.0])"),
            "false"
        );
    }

    #[pg_test(error = "model \"m\": the target \"y\" has text labels; use dm_predict_label")]
    fn text_labels_refuse_dm_predict() {
        fixture();
        sql("SELECT * FROM dm_train('m', 'SELECT x, y FROM t', 'y', 'decision_tree')");
        sql("SELECT dm_predict('m', ARRAY[1.0])");
    }

    #[pg_test]
    fn versions_deploy_and_roll_back() {
        fixture();
        sql("SELECT * FROM dm_train('m', 'SELECT x, v FROM t', 'v', 'decision_tree', '{\"max_depth\": 1}')");
        sql("SELECT * FROM dm_train('m', 'SELECT x, v FROM t', 'v', 'linear_regression')");
        // Version 2 is better (r2), so if_better deployed it.
        assert_eq!(
            one::<i32>("SELECT version FROM dm.deployed WHERE name = 'm'"),
            2
        );
        let v1: f64 = one("SELECT dm_predict('m@1', ARRAY[10.0])");
        let v2: f64 = one("SELECT dm_predict('m', ARRAY[10.0])");
        assert!((v2 - 32.0).abs() < 1e-6 && (v1 - 32.0).abs() > 1.0);
        assert_eq!(one::<i32>("SELECT dm_rollback('m')"), 1);
        assert_eq!(one::<f64>("SELECT dm_predict('m', ARRAY[10.0])"), v1);
        assert_eq!(one::<i32>("SELECT dm_deploy('m', 2)"), 2);
        assert_eq!(one::<i64>("SELECT dm_drop_model('m', 1)"), 1);
        assert_eq!(one::<i64>("SELECT dm_drop_model('m')"), 1);
        assert_eq!(
            one::<i64>("SELECT count(*) FROM dm.deployments WHERE name = 'm'"),
            0
        );
    }

    #[pg_test(error = "model \"m\": model bytes are corrupt: no pg_mining header")]
    fn corrupt_bytes_are_an_error() {
        fixture();
        sql("SELECT * FROM dm_train('m', 'SELECT x, v FROM t', 'v', 'ridge')");
        sql("UPDATE dm.models SET model_bytes = '\\x00'::bytea WHERE name = 'm'");
        sql("SELECT dm_predict('m', ARRAY[1.0])");
    }

    #[pg_test(
        error = "invalid model name \"m;drop table t\": use 1 to 63 letters, digits, \"_\" or \".\""
    )]
    fn names_with_semicolons_are_refused() {
        sql("SELECT dm_predict('m;drop table t', ARRAY[1.0])");
    }

    #[pg_test(error = "relation \"no_such_table\" does not exist")]
    fn unknown_relation() {
        sql("SELECT * FROM dm_train('m', 'no_such_table', 'y')");
    }

    #[pg_test]
    fn training_counts_duplicates_and_null_targets() {
        fixture();
        sql("INSERT INTO t SELECT * FROM t WHERE i <= 10");
        sql("UPDATE t SET v = NULL WHERE i = 200");
        sql("SELECT * FROM dm_train('m', 'SELECT i, x, v FROM t', 'v', 'ridge')");
        let rows: pgrx::JsonB = one("SELECT row_counts FROM dm.models WHERE name = 'm'");
        assert_eq!(rows.0["duplicates"], 10);
        assert_eq!(rows.0["null_target"], 1);
        assert_eq!(rows.0["used"], 199);
    }

    fn sklearn_fixture() -> serde_json::Value {
        serde_json::from_str(include_str!(
            "../../../tests/fixtures/sklearn_reference.json"
        ))
        .expect("fixture")
    }

    fn close(ours: &serde_json::Value, theirs: &serde_json::Value, what: &str) {
        let (a, b) = (ours.as_f64().expect(what), theirs.as_f64().expect(what));
        assert!((a - b).abs() < 1e-9, "{what}: ours {a}, sklearn {b}");
    }

    #[pg_test]
    fn metric_aggregates_match_sklearn() {
        let f = sklearn_fixture();
        sql("CREATE TABLE pairs (case_name text, a int, p int)");
        for case in f["classification"].as_array().expect("cases") {
            let name = case["name"].as_str().expect("name");
            let a = case["actual"].as_array().expect("actual");
            let p = case["predicted"].as_array().expect("predicted");
            let values: Vec<String> = a
                .iter()
                .zip(p)
                .map(|(a, p)| format!("('{name}', {a}, {p})"))
                .collect();
            sql(&format!("INSERT INTO pairs VALUES {}", values.join(", ")));
            let got: pgrx::JsonB = one(&format!(
                "SELECT dm_classification_metrics(a, p) FROM pairs WHERE case_name = '{name}'"
            ));
            for (k, v) in case["expected"].as_object().expect("expected") {
                close(&got.0[k], v, &format!("{name} {k}"));
            }
        }
        let r = &f["regression"][0];
        let rows: Vec<String> = r["actual"]
            .as_array()
            .expect("actual")
            .iter()
            .zip(r["predicted"].as_array().expect("predicted"))
            .map(|(a, p)| format!("({a}::float8, {p}::float8)"))
            .collect();
        let got: pgrx::JsonB = one(&format!(
            "SELECT dm_regression_metrics(a, p) FROM (VALUES {}) v(a, p)",
            rows.join(", ")
        ));
        for (k, v) in r["expected"].as_object().expect("expected") {
            close(&got.0[k], v, &format!("regression {k}"));
        }
        let b = &f["binary_scores"];
        let rows: Vec<String> = b["actual"]
            .as_array()
            .expect("actual")
            .iter()
            .zip(b["score"].as_array().expect("score"))
            .map(|(a, s)| format!("({a}, {s}::float8)"))
            .collect();
        let got: pgrx::JsonB = one(&format!(
            "SELECT dm_classification_metrics(a, (s >= 0.5)::int, s) FROM (VALUES {}) v(a, s)",
            rows.join(", ")
        ));
        close(&got.0["roc_auc"], &b["roc_auc"], "roc_auc");
        close(&got.0["log_loss"], &b["log_loss"], "log_loss");
    }

    /// Two tight groups of 40 points and one far-away point.
    fn blobs() {
        sql("SET client_min_messages = warning");
        sql("CREATE TABLE pts AS SELECT i, (i % 2) * 10 + (i % 7) * 0.1 AS a, (i % 2) * 10 + (i % 5) * 0.1 AS b \
             FROM generate_series(1, 80) i UNION ALL SELECT 81, 50, -50");
    }

    #[pg_test]
    fn clustering_models_score_with_dm_cluster() {
        blobs();
        sql("SELECT * FROM dm_train('km', 'SELECT a, b FROM pts', NULL, 'kmeans', '{\"n_clusters\": 3}')");
        let same: bool = one(
            "SELECT dm_cluster('km', ROW(0.1, 0.2)) = dm_cluster('km', p) FROM pts p WHERE i = 2",
        );
        assert!(same);
        let clusters: i64 =
            one("SELECT count(DISTINCT dm_cluster('km', p)) FROM (SELECT a, b FROM pts) p");
        assert_eq!(clusters, 3);
        sql("SELECT * FROM dm_train('db', 'SELECT a, b FROM pts', NULL, 'dbscan', '{\"eps\": 0.5, \"min_samples\": 4}')");
        let far: i32 = one("SELECT dm_cluster('db', ROW(50.0, -50.0))");
        assert_eq!(far, -1);
        let near: i32 = one("SELECT dm_cluster('db', ROW(10.2, 10.1))");
        assert!(near >= 0);
    }

    #[pg_test]
    fn anomaly_and_pca_models_score() {
        blobs();
        sql("SELECT * FROM dm_train('iso', 'SELECT a, b FROM pts', NULL, 'isolation_forest', '{\"contamination\": 0.02}')");
        let (far, near): (f64, f64) = (
            one("SELECT dm_anomaly_score('iso', ROW(50.0, -50.0))"),
            one("SELECT dm_anomaly_score('iso', ROW(0.1, 0.1))"),
        );
        assert!(far > near && far <= 1.0 && near > 0.0, "{far} {near}");
        let flagged: bool = one("SELECT dm_is_anomaly('iso', ROW(50.0, -50.0))");
        assert!(flagged);
        sql("SELECT * FROM dm_train('p', 'SELECT a, b FROM pts', NULL, 'pca', '{\"n_components\": 1}')");
        let t: Vec<f64> = one("SELECT dm_transform('p', ROW(0.0, 0.0))");
        assert_eq!(t.len(), 1);
        let ratio: f64 = one("SELECT (metrics -> 'train' ->> 'explained_variance_ratio_total')::float8 FROM dm.models WHERE name = 'p'");
        assert!(ratio > 0.5 && ratio <= 1.0 + 1e-12);
    }

    /// dm_report's page measures a classifier on a relation; dm_report_svg's confusion matrix
    /// draws one cell per pair of classes whose counts add up to the rows scored.
    #[pg_test]
    fn a_report_draws_the_rows_it_measured() {
        fixture();
        sql("SELECT * FROM dm_train('r', 'SELECT x, c, y FROM t', 'y', 'decision_tree')");
        let html: String = one("SELECT dm_report('r', 'SELECT x, c, y FROM t')");
        assert!(
            html.starts_with("<!DOCTYPE html>") && html.contains(r#"<figure data-chart="roc">"#)
        );
        let cells: i64 = one(
            "SELECT count(*) FROM regexp_matches(dm_report_svg('r', 'confusion_matrix', 'SELECT x, c, y FROM t'), \
             'class=\"cell\" [^>]*data-count=\"(\\d+)\"', 'g')",
        );
        let drawn: i64 = one(
            "SELECT sum(m[1]::int)::int8 FROM regexp_matches(dm_report_svg('r', 'confusion_matrix', 'SELECT x, c, y FROM t'), \
             'class=\"cell\" [^>]*data-count=\"(\\d+)\"', 'g') m",
        );
        assert_eq!((cells, drawn), (4, 200));
    }

    /// A linear model explains exactly (base + contributions = the value) and its top
    /// attribution comes as one row per input row.
    #[pg_test]
    fn a_linear_model_explains_and_attributes() {
        fixture();
        sql("SELECT * FROM dm_train('e', 'SELECT x, c, v FROM t', 'v', 'linear_regression')");
        let off: f64 = one(
            "SELECT abs((e ->> 'base')::float8 + (SELECT sum((elem ->> 'contribution')::float8) \
             FROM jsonb_array_elements(e -> 'contributions') elem) - dm_predict('e', t)) \
             FROM t, LATERAL (SELECT dm_explain('e', t) AS e) s WHERE i = 5",
        );
        assert!(off < 1e-9, "{off}");
        let method: String = one("SELECT dm_explain('e', t) ->> 'method' FROM t WHERE i = 5");
        assert_eq!(method, "linear");
        let rows: i64 = one(
            "SELECT count(*) FROM t CROSS JOIN LATERAL dm_attributions('e', t, 1) a WHERE t.i <= 10 AND a.feature = 'x'",
        );
        assert_eq!(rows, 10);
    }
}
