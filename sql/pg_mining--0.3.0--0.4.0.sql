-- pg_mining 0.3.0 -> 0.4.0: true holdouts and fairness. dm.models.row_keys holds a key per row a version
-- was trained, validated and tested on, so that dm_evaluate(..., rows => 'test' | 'train' |
-- 'validation' | 'unseen' | 'all') re-derives the model's own rows of any relation and warns
-- when the rows it evaluates on include training rows; dm_fairness reports fairlearn's group
-- fairness of a classifier.
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
