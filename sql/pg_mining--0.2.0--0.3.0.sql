-- pg_mining 0.2.0 -> 0.3.0: a trusted extension (a database owner with CREATE may install it).
-- The internal functions (the aggregates' state and final functions, the catalog tables'
-- trigger function) move into schema dm, callable by no role directly; DROP EXTENSION warns how
-- many models it deletes (an event trigger); dm.deployments loses its self-referencing foreign
-- key, over which pg_dump warned of circular foreign keys in every dump of the models.
-- The schema this leaves equals a fresh 0.3.0 install's (tests/upgrade/run.sh compares them).

\echo Use "ALTER EXTENSION pg_mining UPDATE TO '0.3.0'" to load this file. \quit

ALTER TABLE dm.deployments DROP CONSTRAINT deployments_previous_fkey;

-- The extension's owner (the role that ran CREATE EXTENSION: a superuser, or in a trusted
-- install the database owner) backs up and restores the models: it reads the tables and
-- sequences (pg_dump dumps their rows) and may add rows and set the sequences (pg_restore
-- loads them). It updates and deletes them only through the functions, as every role does;
-- the models it could add by hand it could as well restore from a dump it made. (Here the role is the one running this update: a 0.2.0 install was made
-- by a superuser, so that role is its owner or another superuser.)
GRANT SELECT, INSERT ON dm.owners, dm.grants, dm.functions, dm.models, dm.deployments, dm.trials TO @extowner@;
GRANT SELECT, UPDATE ON SEQUENCE dm.models_id_seq, dm.deployments_id_seq, dm.trials_id_seq TO @extowner@;


CREATE FUNCTION dm.drop_extension_warning() RETURNS event_trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'dm_drop_extension_warning';
CREATE EVENT TRIGGER pg_mining_drop_extension ON ddl_command_start
    WHEN TAG IN ('DROP EXTENSION') EXECUTE FUNCTION dm.drop_extension_warning();
COMMENT ON FUNCTION dm.drop_extension_warning() IS 'Event trigger function: before DROP EXTENSION pg_mining, a WARNING with the number of models and versions it deletes';
COMMENT ON EVENT TRIGGER pg_mining_drop_extension IS 'Warns how many models DROP EXTENSION pg_mining deletes';

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
