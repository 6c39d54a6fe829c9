-- The extension's internal functions live in schema dm, beside the catalog, not in the schema
-- of the functions users call: the aggregates' state and final functions (an aggregate calls
-- them with its owner's rights, so no role needs, or has, EXECUTE on them) and the trigger
-- function of the catalog tables. Moved here, in the last step of the script, because pgrx
-- creates an aggregate's support functions in the aggregate's own schema.
ALTER FUNCTION class_metrics_class_metrics_state(internal, anyelement, anyelement) SET SCHEMA dm;
ALTER FUNCTION class_metrics_class_metrics_finalize(internal) SET SCHEMA dm;
ALTER FUNCTION class_metrics_scored_class_metrics_scored_state(internal, anyelement, anyelement, double precision) SET SCHEMA dm;
ALTER FUNCTION class_metrics_scored_class_metrics_scored_finalize(internal) SET SCHEMA dm;
ALTER FUNCTION cluster_metrics_cluster_metrics_state(internal, double precision[], bigint) SET SCHEMA dm;
ALTER FUNCTION cluster_metrics_cluster_metrics_finalize(internal) SET SCHEMA dm;
ALTER FUNCTION reg_metrics_reg_metrics_state(internal, double precision, double precision) SET SCHEMA dm;
ALTER FUNCTION reg_metrics_reg_metrics_finalize(internal) SET SCHEMA dm;
ALTER FUNCTION k_means_2_k_means_2_state(internal, double precision[], integer) SET SCHEMA dm;
ALTER FUNCTION k_means_2_k_means_2_finalize(internal) SET SCHEMA dm;
ALTER FUNCTION k_means_3_k_means_3_state(internal, double precision[], integer, jsonb) SET SCHEMA dm;
ALTER FUNCTION k_means_3_k_means_3_finalize(internal) SET SCHEMA dm;
ALTER FUNCTION dm_catalog_changed() SET SCHEMA dm;
REVOKE ALL ON FUNCTION
    dm.class_metrics_class_metrics_state(internal, anyelement, anyelement),
    dm.class_metrics_class_metrics_finalize(internal),
    dm.class_metrics_scored_class_metrics_scored_state(internal, anyelement, anyelement, double precision),
    dm.class_metrics_scored_class_metrics_scored_finalize(internal),
    dm.cluster_metrics_cluster_metrics_state(internal, double precision[], bigint),
    dm.cluster_metrics_cluster_metrics_finalize(internal),
    dm.reg_metrics_reg_metrics_state(internal, double precision, double precision),
    dm.reg_metrics_reg_metrics_finalize(internal),
    dm.k_means_2_k_means_2_state(internal, double precision[], integer),
    dm.k_means_2_k_means_2_finalize(internal),
    dm.k_means_3_k_means_3_state(internal, double precision[], integer, jsonb),
    dm.k_means_3_k_means_3_finalize(internal),
    dm.dm_catalog_changed()
FROM PUBLIC;
