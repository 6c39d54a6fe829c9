//! Reading and writing dm.models and dm.deployments.

use pgrx::pg_sys;
use pgrx::JsonB;
use serde_json::Value;

use super::owned::{read_four, read_one, read_three, read_three_latest, read_two, run, write_one};
use crate::pg::errors::{raise, SqlError};
use crate::pg::spi::spi_fail;
use mining::model::format::FORMAT_VERSION;

/// A model reference: `name` (the deployed version) or `name@N`.
pub struct ModelRef {
    pub name: String,
    pub version: Option<i32>,
}

/// Model names are identifiers: letters, digits, `_` and `.`; `@` is reserved for versions.
pub fn check_name(name: &str) -> &str {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    if !ok {
        raise(SqlError::InvalidName(format!(
            "invalid model name \"{name}\": use 1 to 63 letters, digits, \"_\" or \".\""
        )));
    }
    name
}

pub fn parse_ref(spec: &str) -> ModelRef {
    match spec.split_once('@') {
        None => ModelRef {
            name: check_name(spec).to_string(),
            version: None,
        },
        Some((name, v)) => {
            let version = v.parse::<i32>().ok().filter(|v| *v > 0);
            match version {
                Some(v) => ModelRef { name: check_name(name).to_string(), version: Some(v) },
                None => raise(SqlError::InvalidName(format!(
                    "invalid model reference \"{spec}\": the version after \"@\" must be a positive integer"
                ))),
            }
        }
    }
}

/// Which stored row a reference points to. `stamp` (the row's xmin and creation time) tells a
/// row from an older one of the same id: ids are reused after DROP EXTENSION / CREATE
/// EXTENSION or a TRUNCATE ... RESTART IDENTITY, and an UPDATE of the row changes its xmin.
pub struct Resolved {
    pub id: i64,
    pub version: i32,
    pub stamp: String,
}

/// The stored row a reference points to, or an ERROR naming it.
pub fn resolve(r: &ModelRef) -> Resolved {
    let row = match r.version {
        Some(v) => read_three::<i64, i32, String>(
            "SELECT id, version, pg_catalog.concat(xmin, '/', created_at) FROM dm.models \
             WHERE name OPERATOR(pg_catalog.=) $1 AND version OPERATOR(pg_catalog.=) $2",
            &[r.name.as_str().into(), v.into()],
        ),
        None => read_three::<i64, i32, String>(
            "SELECT m.id, m.version, pg_catalog.concat(m.xmin, '/', m.created_at) FROM dm.models m \
             JOIN (SELECT version FROM dm.deployments WHERE name OPERATOR(pg_catalog.=) $1 \
                   ORDER BY id DESC LIMIT 1) d \
               ON d.version OPERATOR(pg_catalog.=) m.version WHERE m.name OPERATOR(pg_catalog.=) $1",
            &[r.name.as_str().into()],
        ),
    };
    match row {
        Ok((Some(id), Some(version), Some(stamp))) => Resolved { id, version, stamp },
        Ok(_) | Err(pgrx::spi::Error::InvalidPosition) => match r.version {
            Some(v) => raise(SqlError::UndefinedObject(format!(
                "model \"{}\" has no version {v}",
                r.name
            ))),
            None => {
                if exists(&r.name) {
                    raise(SqlError::UndefinedObject(format!(
                        "model \"{}\" has no deployed version",
                        r.name
                    )))
                }
                raise(SqlError::UndefinedObject(format!(
                    "model \"{}\" does not exist",
                    r.name
                )))
            }
        },
        Err(e) => spi_fail(e),
    }
}

pub fn exists(name: &str) -> bool {
    read_one::<bool>(
        "SELECT EXISTS (SELECT 1 FROM dm.models WHERE name OPERATOR(pg_catalog.=) $1)",
        &[name.into()],
    )
    .ok()
    .flatten()
    .unwrap_or(false)
}

/// What a stored version's scoring loads: its bytes, its decision threshold
/// (dm.models.threshold), its interval residuals (dm.models.interval_residuals) and its
/// probability calibration (dm.models.calibration).
pub struct Loadable {
    pub bytes: Vec<u8>,
    pub threshold: Option<f64>,
    pub residuals: Option<Vec<f64>>,
    pub calibration: Option<Value>,
}

pub fn load_bytes(id: i64) -> Loadable {
    match read_four::<Vec<u8>, f64, Vec<f64>, JsonB>(
        "SELECT model_bytes, threshold, interval_residuals, calibration FROM dm.models \
         WHERE id OPERATOR(pg_catalog.=) $1",
        &[id.into()],
    ) {
        Ok((Some(bytes), threshold, residuals, calibration)) => Loadable {
            bytes,
            threshold,
            residuals,
            calibration: calibration.map(|j| j.0),
        },
        Ok((None, ..)) | Err(pgrx::spi::Error::InvalidPosition) => raise(
            SqlError::UndefinedObject(format!("model id {id} disappeared from dm.models")),
        ),
        Err(e) => spi_fail(e),
    }
}

/// A stored version's explanation background (dm.models.background; None: not kept).
pub fn load_background(id: i64) -> Option<Value> {
    match read_one::<JsonB>(
        "SELECT background FROM dm.models WHERE id OPERATOR(pg_catalog.=) $1",
        &[id.into()],
    ) {
        Ok(b) => b.map(|j| j.0),
        Err(pgrx::spi::Error::InvalidPosition) => None,
        Err(e) => spi_fail(e),
    }
}

/// A stored version's row keys (dm.models.row_keys; None: not kept).
pub fn load_row_keys(id: i64) -> Option<Vec<u8>> {
    match read_one::<Vec<u8>>(
        "SELECT row_keys FROM dm.models WHERE id OPERATOR(pg_catalog.=) $1",
        &[id.into()],
    ) {
        Ok(keys) => keys,
        Err(pgrx::spi::Error::InvalidPosition) => raise(SqlError::UndefinedObject(format!(
            "model id {id} disappeared from dm.models"
        ))),
        Err(e) => spi_fail(e),
    }
}

/// Sets (or with None clears) a version's decision threshold. The catalog's statement
/// trigger makes every backend reload it.
pub fn set_threshold(name: &str, version: i32, threshold: Option<f64>) {
    if let Err(e) = run(
        "UPDATE dm.models SET threshold = $3 WHERE name = $1 AND version = $2",
        &[name.into(), version.into(), threshold.into()],
    ) {
        spi_fail(e)
    }
}

/// A version's task and classes, to check what dm_set_threshold may set (None: no version).
pub fn task_and_classes(name: &str, version: i32) -> Option<(String, Option<Vec<String>>)> {
    match read_two::<String, Vec<String>>(
        "SELECT task, classes FROM dm.models WHERE name = $1 AND version = $2",
        &[name.into(), version.into()],
    ) {
        Ok((Some(t), c)) => Some((t, c)),
        Ok(_) | Err(pgrx::spi::Error::InvalidPosition) => None,
        Err(e) => spi_fail(e),
    }
}

/// The training profile of a stored version (what dm_drift compares with).
pub fn load_profile(id: i64) -> Value {
    read_one::<JsonB>(
        "SELECT profile FROM dm.models WHERE id OPERATOR(pg_catalog.=) $1",
        &[id.into()],
    )
    .ok()
    .flatten()
    .map(|j| j.0)
    .unwrap_or_default()
}

/// What a model name's rows look like: versions, highest version, latest deployment.
const NAME_STATE: &str = "SELECT (SELECT count(*) FROM dm.models WHERE name = $1), \
     (SELECT coalesce(max(version), 0)::int8 FROM dm.models WHERE name = $1), \
     (SELECT coalesce(max(id), 0) FROM dm.deployments WHERE name = $1)";

/// Serializes concurrent writers of one model name until the transaction ends. Under READ
/// COMMITTED each catalog statement after the lock sees what the writer before committed.
/// Under REPEATABLE READ and SERIALIZABLE the transaction's snapshot may predate that commit
/// (it would store a version number already taken, a deployment on top of one it cannot see,
/// or drop a version just deployed): then this is a serialization failure (40001), before any
/// work, and the transaction can be retried.
pub fn lock_name(name: &str) {
    if let Err(e) = run(
        "SELECT pg_advisory_xact_lock(hashtext('pg_mining:' || $1))",
        &[name.into()],
    ) {
        spi_fail(e)
    }
    // SAFETY: reads the session's isolation level.
    let snapshot_per_transaction =
        unsafe { pg_sys::XactIsoLevel } >= pg_sys::XACT_REPEATABLE_READ as i32;
    if !snapshot_per_transaction {
        return;
    }
    let seen =
        read_three::<i64, i64, i64>(NAME_STATE, &[name.into()]).unwrap_or_else(|e| spi_fail(e));
    let latest = read_three_latest::<i64, i64, i64>(NAME_STATE, &[name.into()])
        .unwrap_or_else(|e| spi_fail(e));
    if seen != latest {
        raise(SqlError::Serialization(format!(
            "model \"{name}\" was changed by a concurrent transaction that committed after this \
             transaction's snapshot was taken; retry the transaction"
        )))
    }
}

pub struct NewVersion<'a> {
    pub name: &'a str,
    pub task: &'a str,
    pub algorithm: &'a str,
    pub relation: &'a str,
    pub target: &'a str,
    pub target_type: &'a str,
    pub features: Value,
    pub classes: Option<Vec<String>>,
    pub preprocessing: Value,
    pub hyperparams: Value,
    pub options: Value,
    pub report: &'a Value,
    pub warnings: Vec<String>,
    pub bytes: Vec<u8>,
    /// The keys of the rows of each part (prepare/row_keys.rs).
    pub row_keys: Option<Vec<u8>>,
    /// A regression's held-out residuals (model/interval.rs).
    pub interval_residuals: Option<Vec<f64>>,
    /// A binary classifier's calibration (model/calibration.rs).
    pub calibration: Option<Value>,
    /// The explanations' background (model/background.rs).
    pub background: Option<Value>,
    /// The training role (the statement runs as the catalog owner, whose name the column's
    /// default would record).
    pub created_by: String,
}

/// Inserts the next version of a model (call lock_name first); returns the version.
pub fn insert(v: NewVersion) -> i32 {
    let version = read_one::<i32>(
        "SELECT coalesce(max(version), 0) + 1 FROM dm.models WHERE name = $1",
        &[v.name.into()],
    )
    .ok()
    .flatten()
    .unwrap_or(1);
    let r = v.report;
    let res = run(
        "INSERT INTO dm.models (name, version, task, algorithm, relation, target, target_type, features, classes, \
           preprocessing, hyperparams, options, metrics, row_counts, split, data_fingerprint, timings, warnings, \
           format_version, model_bytes, profile, created_by, threshold, row_keys, interval_residuals, calibration, \
           background) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27)",
        &[
            v.name.into(),
            version.into(),
            v.task.into(),
            v.algorithm.into(),
            v.relation.into(),
            // Models without a target (clustering, anomaly, decomposition) store NULL.
            (!v.target.is_empty()).then_some(v.target).into(),
            (!v.target_type.is_empty()).then_some(v.target_type).into(),
            JsonB(v.features).into(),
            v.classes.into(),
            JsonB(v.preprocessing).into(),
            JsonB(v.hyperparams).into(),
            JsonB(v.options).into(),
            JsonB(r["metrics"].clone()).into(),
            JsonB(r["rows"].clone()).into(),
            JsonB(r["split"].clone()).into(),
            r["fingerprint"].as_str().unwrap_or("").into(),
            JsonB(r["timings_ms"].clone()).into(),
            v.warnings.into(),
            i32::from(FORMAT_VERSION).into(),
            v.bytes.into(),
            JsonB(r["profile"].clone()).into(),
            v.created_by.as_str().into(),
            // options.threshold, as the run chose it.
            r["metrics"]["threshold"]["value"].as_f64().into(),
            v.row_keys.into(),
            v.interval_residuals.into(),
            v.calibration.map(JsonB).into(),
            v.background.map(JsonB).into(),
        ],
    );
    if let Err(e) = res {
        spi_fail(e)
    }
    version
}

pub struct Deployment {
    pub id: i64,
    pub version: i32,
    /// The deployment it replaced (where a rollback returns).
    pub previous: Option<i64>,
}

/// The current deployment of a model, if any.
pub fn current_deployment(name: &str) -> Option<Deployment> {
    match read_three::<i64, i32, i64>(
        "SELECT id, version, previous FROM dm.deployments WHERE name = $1 ORDER BY id DESC LIMIT 1",
        &[name.into()],
    ) {
        Ok((Some(id), Some(version), previous)) => Some(Deployment {
            id,
            version,
            previous,
        }),
        Ok(_) | Err(pgrx::spi::Error::InvalidPosition) => None,
        Err(e) => spi_fail(e),
    }
}

/// The stored value of a metric for a version (on test rows, else train rows).
pub fn stored_metric(name: &str, version: i32, metric: &str) -> Option<f64> {
    read_one::<f64>(
        "SELECT coalesce(metrics -> 'test' ->> $3, metrics -> 'train' ->> $3)::float8 FROM dm.models WHERE name = $1 AND version = $2",
        &[name.into(), version.into(), metric.into()],
    )
    .ok()
    .flatten()
}

pub fn push_deployment(name: &str, version: i32, action: &str, previous: Option<i64>) {
    let by = crate::pg::definer::current_user_name();
    if let Err(e) = run(
        "INSERT INTO dm.deployments (name, version, action, previous, deployed_by) VALUES ($1, $2, $3, $4, $5)",
        &[name.into(), version.into(), action.into(), previous.into(), by.as_str().into()],
    ) {
        spi_fail(e)
    }
}

pub fn version_exists(name: &str, version: i32) -> bool {
    read_one::<bool>(
        "SELECT EXISTS (SELECT 1 FROM dm.models WHERE name = $1 AND version = $2)",
        &[name.into(), version.into()],
    )
    .ok()
    .flatten()
    .unwrap_or(false)
}

/// The deployment a rollback returns to: (its version, the deployment before it).
pub fn rollback_target(previous: i64) -> Option<(i32, Option<i64>)> {
    match read_two::<i32, i64>(
        "SELECT version, previous FROM dm.deployments WHERE id = $1",
        &[previous.into()],
    ) {
        Ok((Some(v), p)) => Some((v, p)),
        Ok(_) | Err(pgrx::spi::Error::InvalidPosition) => None,
        Err(e) => spi_fail(e),
    }
}

/// Deletes versions (all when None) and, for a whole model, its history. Returns the count.
pub fn delete(name: &str, version: Option<i32>) -> i64 {
    let res = match version {
        Some(v) => {
            unlink_deployments(name, v);
            write_one::<i64>(
                "WITH d AS (DELETE FROM dm.models WHERE name = $1 AND version = $2 RETURNING 1) SELECT count(*) FROM d",
                &[name.into(), v.into()],
            )
        }
        None => {
            if let Err(e) = run("DELETE FROM dm.deployments WHERE name = $1", &[name.into()]) {
                spi_fail(e)
            }
            let n = write_one::<i64>(
                "WITH d AS (DELETE FROM dm.models WHERE name = $1 RETURNING 1) SELECT count(*) FROM d",
                &[name.into()],
            );
            super::grants::release(name);
            n
        }
    };
    match res {
        Ok(n) => n.unwrap_or(0),
        Err(e) => spi_fail(e),
    }
}

/// Removes a (not deployed) version's rows from the deployment history, so that the foreign key
/// lets the version go: a later deployment that returned to one of them returns to what that
/// one returned to (a rollback skips the dropped version).
fn unlink_deployments(name: &str, version: i32) {
    let gone = read_one::<i64>(
        "SELECT count(*) FROM dm.deployments WHERE name = $1 AND version = $2",
        &[name.into(), version.into()],
    )
    .unwrap_or_else(|e| spi_fail(e))
    .unwrap_or(0);
    // Each pass moves the links of the kept rows one step past the dropped rows; a chain of
    // dropped rows (the version deployed several times in a row) takes one pass per row. A row
    // that still pointed at a dropped row after that would make a rollback to it stop there
    // (rollback_target finds nothing), as at the bottom of the stack.
    for _ in 0..gone {
        pg_sys::check_for_interrupts!();
        let moved = write_one::<i64>(
            "WITH gone AS (SELECT id, previous FROM dm.deployments WHERE name = $1 AND version = $2), \
                  moved AS (UPDATE dm.deployments d SET previous = g.previous FROM gone g \
                            WHERE d.previous = g.id AND d.version <> $2 RETURNING 1) \
             SELECT count(*) FROM moved",
            &[name.into(), version.into()],
        )
        .unwrap_or_else(|e| spi_fail(e));
        if moved.unwrap_or(0) == 0 {
            break;
        }
    }
    if let Err(e) = run(
        "DELETE FROM dm.deployments WHERE name = $1 AND version = $2",
        &[name.into(), version.into()],
    ) {
        spi_fail(e)
    }
}

/// Records one search trial of a version.
pub fn insert_trial(
    name: &str,
    version: i32,
    trial: i32,
    t: &mining::evaluation::tuning::Trial,
    metric: &str,
    chosen: bool,
) {
    let res = run(
        "INSERT INTO dm.trials (name, version, trial, params, metric, fold_scores, mean_score, std_score, fit_ms, chosen) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[
            name.into(),
            version.into(),
            trial.into(),
            JsonB(Value::Object(t.params.clone())).into(),
            metric.into(),
            t.fold_scores.clone().into(),
            t.mean.into(),
            t.std.into(),
            (t.ms as i64).into(),
            chosen.into(),
        ],
    );
    if let Err(e) = res {
        spi_fail(e)
    }
}

/// The oids of dm.deployments and dm.models.
pub fn catalog_oids() -> (pg_sys::Oid, pg_sys::Oid) {
    match read_two::<pg_sys::Oid, pg_sys::Oid>(
        "SELECT 'dm.deployments'::regclass::oid, 'dm.models'::regclass::oid",
        &[],
    ) {
        Ok((Some(d), Some(m))) => (d, m),
        _ => (pg_sys::InvalidOid, pg_sys::InvalidOid),
    }
}

/// How many model names and versions the catalog holds, for the warning of DROP EXTENSION
/// (None without a catalog). Read without the version check: an extension whose SQL objects
/// are of another version than this library must still be droppable.
pub fn census() -> Option<(i64, i64)> {
    crate::pg::definer::as_catalog_owner(|| {
        crate::pg::spi::read_two::<i64, i64>(
            "SELECT pg_catalog.count(DISTINCT m.name), pg_catalog.count(*) FROM dm.models m",
            &[],
        )
    })
    .ok()
    .and_then(|(names, versions)| Some((names?, versions?)))
}

/// A stored version's catalog row as JSON for its report (no model bytes, row keys,
/// residuals, profile or background), with `deployed` (whether it is the deployed version) and
/// `has_row_keys` (whether its training and test rows can be found again).
pub fn report_row(id: i64) -> Value {
    match read_one::<JsonB>(
        "SELECT to_jsonb(m) OPERATOR(pg_catalog.-) 'model_bytes'::text \
         OPERATOR(pg_catalog.-) 'row_keys'::text OPERATOR(pg_catalog.-) 'interval_residuals'::text \
         OPERATOR(pg_catalog.-) 'profile'::text OPERATOR(pg_catalog.-) 'background'::text \
         OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object('deployed', \
           (SELECT d.version FROM dm.deployments d WHERE d.name OPERATOR(pg_catalog.=) m.name \
            ORDER BY d.id DESC LIMIT 1) IS NOT DISTINCT FROM m.version, \
           'has_row_keys', m.row_keys IS NOT NULL) \
         FROM dm.models m WHERE m.id OPERATOR(pg_catalog.=) $1",
        &[id.into()],
    ) {
        Ok(Some(j)) => j.0,
        Ok(None) | Err(pgrx::spi::Error::InvalidPosition) => raise(SqlError::UndefinedObject(
            format!("model id {id} disappeared from dm.models"),
        )),
        Err(e) => spi_fail(e),
    }
}

/// A version's search trials (dm.trials rows as JSON, in trial order; empty: no search).
pub fn trials_of(name: &str, version: i32) -> Vec<Value> {
    match read_one::<JsonB>(
        "SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(t) ORDER BY t.trial), '[]'::jsonb) \
         FROM dm.trials t WHERE t.name OPERATOR(pg_catalog.=) $1 AND t.version OPERATOR(pg_catalog.=) $2",
        &[name.into(), version.into()],
    ) {
        Ok(Some(JsonB(Value::Array(rows)))) => rows,
        Ok(_) | Err(pgrx::spi::Error::InvalidPosition) => Vec::new(),
        Err(e) => spi_fail(e),
    }
}
