COMMENT ON FUNCTION dm_train(text, text, text, text, jsonb, jsonb) IS
'Trains the next version of a model on a table, view or query: dm_train(model, relation, target, algorithm, hyperparams, options). Returns its version, task, algorithm, metrics and whether it was deployed.';
COMMENT ON FUNCTION dm_predict(text, anyelement) IS
'Scores a row, ROW(...), numeric array or jsonb with a model (''name'' = deployed version, ''name@N'' = version N): the regression value, or the class label as a number (booleans 1/0).';
COMMENT ON FUNCTION dm_predict_label(text, anyelement) IS
'Scores an input and returns the predicted class label in its original text form (regression: the value as text).';
COMMENT ON FUNCTION dm_predict_proba(text, anyelement) IS
'Scores an input and returns the class probabilities, in the order of dm_model_classes(model).';
COMMENT ON FUNCTION dm_model_classes(text) IS
'The class labels of a classification model, in the order of dm_predict_proba.';
COMMENT ON FUNCTION dm_deploy(text, integer) IS
'Deploys a version of a model (transactional); returns the version.';
COMMENT ON FUNCTION dm_rollback(text) IS
'Returns a model to the version deployed before the current deployment; returns that version.';
COMMENT ON FUNCTION dm_drop_model(text, integer) IS
'Drops one version of a model (not the deployed one), or the whole model and its history when version is NULL; returns the number of versions dropped.';
COMMENT ON FUNCTION dm_coefficients(text) IS
'Coefficients of a linear or logistic model on its encoded, scaled input columns, with the intercept as feature ''(intercept)'' (scikit-learn''s coef_ and intercept_).';
COMMENT ON FUNCTION dm_evaluate(text, text, text) IS
'The full sklearn.metrics set of a model on any relation holding its target (classification: accuracy, balanced_accuracy, precision/recall/f1 macro, weighted and per class, mcc, roc_auc, log_loss, baseline_accuracy; regression: r2, rmse, mae, mape, max_error); with group_by, per value of that column too.';
COMMENT ON FUNCTION dm_confusion_matrix(text, text) IS
'Counts of (actual, predicted) label pairs of a classification model on a relation, zeros included.';
COMMENT ON FUNCTION dm_roc_curve(text, text, text) IS
'sklearn''s roc_curve (threshold, fpr, tpr) of one class against the rest; the default positive class is the second class of a binary model.';
COMMENT ON FUNCTION dm_pr_curve(text, text, text) IS
'sklearn''s precision_recall_curve (threshold, precision, recall); the last row (threshold NULL) is the point precision 1, recall 0.';
COMMENT ON AGGREGATE dm_classification_metrics(anyelement, anyelement) IS
'Aggregate: the sklearn.metrics label metrics of (actual, predicted) pairs as jsonb; works with GROUP BY over any query.';
COMMENT ON AGGREGATE dm_classification_metrics(anyelement, anyelement, float8) IS
'Aggregate: label metrics plus roc_auc and log_loss from the positive (greater) label''s score, for two labels.';
COMMENT ON AGGREGATE dm_regression_metrics(float8, float8) IS
'Aggregate: r2, mse, rmse, mae, mape and max_error of (actual, predicted) pairs as jsonb; works with GROUP BY.';
COMMENT ON AGGREGATE dm_clustering_metrics(float8[], bigint) IS
'Aggregate: inertia, silhouette, davies_bouldin and cluster sizes of (features, cluster) rows as jsonb (sklearn.metrics definitions; silhouette sampled above 10,000 rows); works with GROUP BY.';
COMMENT ON FUNCTION dm_score_trigger() IS
'Trigger: BEFORE INSERT OR UPDATE ... FOR EACH ROW EXECUTE FUNCTION dm_score_trigger(''model'', ''column'' [, ''value''|''label''|''proba'']) writes the prediction of the new row into the column, converted to its type.';
COMMENT ON FUNCTION dm_create_predict_function(text, text, boolean) IS
'Creates a SQL function with one typed argument per feature that returns the deployed version''s prediction in the target''s type (for BI tools); returns its signature. replace => true replaces an existing function.';
COMMENT ON FUNCTION dm_drift(text, text, float8) IS
'Drift of a relation (e.g. recent rows) against a model''s training data: per feature and for the predictions, PSI, KS (numbers) or chi-square (categories), NULL rates, and a flag when PSI exceeds the threshold.';
COMMENT ON AGGREGATE dm_kmeans(float8[], integer) IS
'Aggregate: k-means centroids (k x d float8[][]) of the feature arrays: greedy k-means++ seeding, 10 seeded inits keeping the lowest inertia, max_iter 300, tol 1e-4; one clustering per GROUP BY group; NULL arrays are skipped (NOTICE), empty input gives NULL.';
COMMENT ON AGGREGATE dm_kmeans(float8[], integer, jsonb) IS
'Aggregate: dm_kmeans with options {"n_init", "max_iter", "tol", "seed"}.';
COMMENT ON FUNCTION dm_association_rules(text, text, text, float8, float8, jsonb) IS
'Association rules X -> Y over a (transaction, item) relation by FP-growth: antecedent, consequent, support, confidence, lift, leverage, conviction (mlxtend definitions); options {"max_len": n}.';
COMMENT ON FUNCTION dm_frequent_itemsets(text, text, text, float8, jsonb) IS
'Frequent itemsets (FP-growth) of a (transaction, item) relation with support >= min_support; options {"max_len": n}.';
COMMENT ON FUNCTION dm_cluster(text, anyelement) IS
'Scores a row with a clustering model (kmeans: the nearest centroid; dbscan: the cluster of the nearest core point within eps, else -1 for noise); returns the cluster number.';
COMMENT ON FUNCTION dm_anomaly_score(text, anyelement) IS
'Scores a row with an isolation_forest model: scikit-learn''s anomaly score 2^(-E[h(x)]/c(n)) in (0, 1], higher is more anomalous.';
COMMENT ON FUNCTION dm_is_anomaly(text, anyelement) IS
'True when a row''s anomaly score is above the model''s threshold: 0.5, or with hyperparameter contamination the score above which that fraction of the training rows lies.';
COMMENT ON FUNCTION dm_transform(text, anyelement) IS
'Projects a row onto a pca model''s components (after its stored preprocessing): float8[] of n_components values, whitened if the model was trained with whiten.';
COMMENT ON FUNCTION dm_feature_importance(text) IS
'Per feature of a tree model (decision_tree, random_forest, extra_trees, gradient_boosting): its share of the total impurity decrease or loss reduction (sums to 1, as scikit-learn''s feature_importances_; one-hot columns summed into their feature) and its number of splits, most important first.';
COMMENT ON FUNCTION dm_explain(text, anyelement) IS
'Why a tree model (decision_tree, random_forest, extra_trees, gradient_boosting) scores a row as it does: per feature (one-hot columns summed), its path-based contribution, largest first, and the base; base + contributions = the raw score of gradient_boosting (log-odds for two classes, class scores for more, the value for regression), or the class probability / value of the other tree models.';
