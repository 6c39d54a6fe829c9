-- pg_mining 0.3.0 -> 0.4.0: true holdouts, fairness and prediction intervals. dm.models.row_keys
-- holds a key per row a version was trained, validated and tested on, so that dm_evaluate(...,
-- rows => 'test' | 'train' | 'validation' | 'unseen' | 'all') re-derives the model's own rows of
-- any relation and warns when the rows it evaluates on include training rows; dm_fairness
-- reports fairlearn's group fairness of a classifier; dm.models.interval_residuals and
-- dm_predict_interval give a regression split-conformal prediction intervals;
-- dm.models.calibration keeps a classifier's probability calibration, and dm_calibration_curve
-- draws the reliability curve.
-- The schema this leaves equals a fresh 0.4.0 install's (tests/upgrade/run.sh compares them).

\echo Use "ALTER EXTENSION pg_mining UPDATE TO '0.4.0'" to load this file. \quit

-- A key per row the version was trained, validated and tested on (48-bit hashes of features
-- and target, sorted and delta-encoded: crates/mining/src/prepare/row_keys.rs), so that
-- dm_evaluate(..., rows => 'test') finds its own test rows again; NULL: not kept (every
-- version trained before 0.4.0).
ALTER TABLE dm.models ADD COLUMN row_keys bytea;
ALTER TABLE dm.models ALTER COLUMN row_keys SET STORAGE EXTERNAL;

-- dm_evaluate gains rows => 'all' | 'test' | 'train' | 'validation' | 'unseen'.
DROP FUNCTION dm_evaluate(text, text, text);
CREATE  FUNCTION "dm_evaluate"(
	"model" TEXT, /* Option < & str > */
	"relation" TEXT, /* Option < & str > */
	"group_by" TEXT DEFAULT NULL, /* Option < & str > */
	"rows" TEXT DEFAULT 'all' /* Option < & str > */
) RETURNS jsonb /* JsonB */
STABLE
LANGUAGE c /* Rust */
AS 'MODULE_PATHNAME', 'dm_evaluate_wrapper';
COMMENT ON FUNCTION dm_evaluate(text, text, text, text) IS
'The full sklearn.metrics set of a model on any relation holding its target (classification: accuracy, balanced_accuracy, precision/recall/f1 macro, weighted and per class, mcc, roc_auc, log_loss, baseline_accuracy; regression: r2, rmse, mae, mape, max_error); with group_by, per value of that column too. rows: ''all'' (the default; a WARNING counts the rows the model was trained on), ''test'' (the model''s own test rows of the relation), ''train'', ''validation'', or ''unseen'' (rows it never saw).';

-- dm_fairness: fairlearn's group fairness of a classifier on a relation (one sensitive column or
-- several).
CREATE  FUNCTION "dm_fairness"(
	"model" TEXT, /* Option < & str > */
	"relation" TEXT, /* Option < & str > */
	"sensitive" TEXT[], /* :: std :: option :: Option < Vec < Option < String > > > */
	"positive_class" TEXT DEFAULT NULL, /* Option < & str > */
	"rows" TEXT DEFAULT 'all' /* Option < & str > */
) RETURNS jsonb /* JsonB */
STABLE 
LANGUAGE c /* Rust */
AS 'MODULE_PATHNAME', 'dm_fairness_wrapper';
CREATE  FUNCTION "dm_fairness"(
	"model" TEXT, /* Option < & str > */
	"relation" TEXT, /* Option < & str > */
	"sensitive" TEXT, /* Option < & str > */
	"positive_class" TEXT DEFAULT NULL, /* Option < & str > */
	"rows" TEXT DEFAULT 'all' /* Option < & str > */
) RETURNS jsonb /* JsonB */
STABLE 
LANGUAGE c /* Rust */
AS 'MODULE_PATHNAME', 'dm_fairness_column_wrapper';
COMMENT ON FUNCTION dm_fairness(text, text, text[], text, text) IS
'fairlearn''s group fairness of a classification model on a relation: per group of the sensitive columns (their intersections) rows, selection_rate, true_positive_rate, false_positive_rate, precision; demographic_parity, equal_opportunity and equalized_odds differences and ratios. positive_class defaults to the second class of two; rows as dm_evaluate''s.';
COMMENT ON FUNCTION dm_fairness(text, text, text, text, text) IS
'dm_fairness over one sensitive column.';

-- A regression's absolute residuals on its test rows, sorted (at most 20,000: a seeded subset
-- above), for split-conformal prediction intervals (dm_predict_interval); NULL: none (every
-- version trained before 0.4.0).
ALTER TABLE dm.models ADD COLUMN interval_residuals float8[];
-- What dm_predict_interval returns: the prediction and its interval.
CREATE TYPE dm.prediction_interval AS (prediction float8, lower float8, upper float8);
COMMENT ON TYPE dm.prediction_interval IS 'A regression''s prediction with its split-conformal interval (dm_predict_interval)';
CREATE  FUNCTION "dm_predict_interval"(
	"model" TEXT, /* TextArg */
	"input" anyelement, /* AnyArg */
	"alpha" double precision DEFAULT 0.1 /* f64 */
) RETURNS dm.prediction_interval /* :: pgrx :: heap_tuple :: PgHeapTuple < '_, :: pgrx :: pgbox :: AllocatedByRust
> */
STRICT STABLE PARALLEL SAFE
LANGUAGE c /* Rust */
AS 'MODULE_PATHNAME', 'dm_predict_interval_wrapper';
/* </end connected objects> */
COMMENT ON FUNCTION dm_predict_interval(text, anyelement, float8) IS
'A regression''s prediction and its split-conformal interval (prediction, lower, upper) at miscoverage alpha (default 0.1: a 90% interval), calibrated on the residuals of the model''s test rows.';

-- A binary classifier's probability calibration (options.calibration: sigmoid or isotonic,
-- crates/mining/src/model/calibration.rs); NULL: none. dm_calibration_curve: scikit-learn's
-- calibration_curve of a model on a relation.
ALTER TABLE dm.models ADD COLUMN calibration jsonb;
-- Explanations' background: the encoded training rows' means and a seeded sample of at most
-- 100 of them (crates/mining/src/model/background.rs), for dm_explain's linear and sampling
-- methods; NULL: not kept (versions trained before 0.4.0 explain only if they are trees).
ALTER TABLE dm.models ADD COLUMN background jsonb;
CREATE  FUNCTION "dm_calibration_curve"(
	"model" TEXT, /* Option < & str > */
	"relation" TEXT, /* Option < & str > */
	"n_bins" INT DEFAULT 10, /* Option < i32 > */
	"strategy" TEXT DEFAULT 'uniform', /* Option < & str > */
	"positive_class" TEXT DEFAULT NULL, /* Option < & str > */
	"rows" TEXT DEFAULT 'all' /* Option < & str > */
) RETURNS TABLE (
	"bin" INT,  /* i32 */
	"mean_predicted" double precision,  /* f64 */
	"fraction_positive" double precision,  /* f64 */
	"count" bigint  /* i64 */
)
STABLE
LANGUAGE c /* Rust */
AS 'MODULE_PATHNAME', 'dm_calibration_curve_wrapper';
COMMENT ON FUNCTION dm_calibration_curve(text, text, integer, text, text, text) IS
'sklearn''s calibration_curve of a classification model on a relation: per bin (n_bins, strategy ''uniform'' or ''quantile'') of one class''s probabilities (default: the second of two), their mean, the share of rows of that class and the row count (count); rows as dm_evaluate''s.';

-- dm_explain explains every classification and regression model (TreeSHAP for decision_tree,
-- random_forest and extra_trees; exact linear contributions; sampling Shapley values for the
-- rest, from dm.models.background) and takes top_k; dm_attributions returns the top k as rows.
DROP FUNCTION dm_explain(text, anyelement);
CREATE  FUNCTION "dm_explain"(
	"model" TEXT, /* Option < & str > */
	"input" anyelement, /* Option < AnyElement > */
	"top_k" INT DEFAULT NULL /* Option < i32 > */
) RETURNS jsonb /* Option < pgrx :: JsonB > */
STABLE PARALLEL SAFE
LANGUAGE c /* Rust */
AS 'MODULE_PATHNAME', 'dm_explain_wrapper';
CREATE  FUNCTION "dm_attributions"(
	"model" TEXT, /* & str */
	"input" anyelement, /* AnyElement */
	"top_k" INT DEFAULT 3 /* i32 */
) RETURNS TABLE (
	"rank" INT,  /* i32 */
	"feature" TEXT,  /* String */
	"value" TEXT,  /* Option < String > */
	"contribution" double precision,  /* f64 */
	"class" TEXT  /* Option < String > */
)
STRICT STABLE PARALLEL SAFE
LANGUAGE c /* Rust */
AS 'MODULE_PATHNAME', 'dm_attributions_wrapper';
COMMENT ON FUNCTION dm_explain(text, anyelement, integer) IS
'Why a model scores a row as it does: dm_explain(model, input, top_k). Per feature (one-hot columns summed) its contribution, largest first, the base and the method, with base + contributions = the output: tree_shap (exact SHAP values, as shap.TreeExplainer) for decision_tree, random_forest and extra_trees; path for gradient_boosting (raw score); linear (exact, coefficient times value minus training mean, on the log-odds for logistic models) for linear, ridge, lasso, elastic net and logistic models; sampling (sampling Shapley values over a seeded set of permutations from a stored background of training rows) for svm, mlp, knn and naive Bayes. With top_k, the k largest contributions only, each with the feature''s value.';
COMMENT ON FUNCTION dm_attributions(text, anyelement, integer) IS
'The top_k (default 3) contributions to one output of a row as rows (rank, feature, value, contribution, class): a regression''s value, a binary classifier''s second class, the predicted class of more; PARALLEL SAFE, for SELECT c.id, a.* FROM customers c CROSS JOIN LATERAL dm_attributions(''churn'', c) a.';

-- dm_report and dm_report_svg: a model's report as an HTML page, and one chart of it as SVG.
CREATE  FUNCTION "dm_report"(
	"model" TEXT, /* Option < & str > */
	"relation" TEXT DEFAULT NULL, /* Option < & str > */
	"options" jsonb DEFAULT '{}' /* Option < JsonB > */
) RETURNS TEXT /* String */
STABLE
LANGUAGE c /* Rust */
AS 'MODULE_PATHNAME', 'dm_report_wrapper';
CREATE  FUNCTION "dm_report_svg"(
	"model" TEXT, /* Option < & str > */
	"chart" TEXT, /* Option < & str > */
	"relation" TEXT DEFAULT NULL, /* Option < & str > */
	"options" jsonb DEFAULT '{}' /* Option < JsonB > */
) RETURNS TEXT /* String */
STABLE
LANGUAGE c /* Rust */
AS 'MODULE_PATHNAME', 'dm_report_svg_wrapper';
COMMENT ON FUNCTION dm_report(text, text, jsonb) IS
'A model''s report as one self-contained HTML page (inline SVG and CSS, no script, nothing fetched): dm_report(model, relation, options). What it is and how it was trained, warnings, stored metrics beside the baseline, charts measured on relation (default: the model''s own test rows of its source, with the manage right): confusion matrix, ROC, precision-recall, reliability, cumulative gain and probability histogram, or predicted against actual and residuals, or cluster sizes and anomaly scores; feature importance, search trials and, with a relation, drift. Write it with psql -XAt -c "SELECT dm_report(''churn'')" > churn.html.';
COMMENT ON FUNCTION dm_report_svg(text, text, text, jsonb) IS
'One chart of dm_report as a standalone SVG document, for a web page or a BI tool: dm_report_svg(model, chart, relation, options); chart is one of confusion_matrix, roc, pr, calibration, gain, probability_histogram, predicted_vs_actual, residual_histogram, residuals_vs_predicted, feature_importance, trials, cluster_sizes, anomaly_scores, drift.';
