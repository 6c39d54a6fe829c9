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
