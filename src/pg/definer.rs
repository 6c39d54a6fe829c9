//! Running catalog statements with the catalog owner's rights, as a SECURITY DEFINER function
//! would, without making the SQL functions themselves SECURITY DEFINER: a function checks the
//! caller's right on the model first (with the caller's user id), then reads or writes dm.*
//! inside `as_catalog_owner`. Training still reads its source with the caller's rights, and
//! the per-row scoring functions keep no SET clause (no GUC save/restore per call).
//!
//! Inside, the user id is the owner of dm.models (the role that ran the extension script) with
//! SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION, and search_path is pinned to
//! `pg_catalog, pg_temp`, as PostgreSQL does for SECURITY DEFINER ... SET search_path: no
//! operator, function or type a caller created (in public, or in a schema put before
//! pg_catalog in their search_path) is resolved while the user id is the catalog owner's. The
//! setting is saved and popped at one GUC nest level (GUC_ACTION_SAVE, as a function's SET
//! clause), which PostgreSQL also allows in parallel mode, where the scoring path's reads run.

use std::cell::Cell;

use pgrx::pg_sys;

use super::spi::read_one;

thread_local! {
    /// The catalog owner, once known (0 before; forgotten with the catalog's oids).
    static OWNER: Cell<u32> = const { Cell::new(0) };
}

/// Forgets the catalog owner (the catalog was dropped or changed hands).
pub fn forget_owner() {
    OWNER.with(|o| o.set(0));
}

fn owner() -> pg_sys::Oid {
    let known = OWNER.with(Cell::get);
    if known != 0 {
        return pg_sys::Oid::from(known);
    }
    let found = read_one::<pg_sys::Oid>(
        "SELECT c.relowner FROM pg_catalog.pg_class c \
         WHERE c.oid OPERATOR(pg_catalog.=) pg_catalog.to_regclass('dm.models')",
        &[],
    )
    .ok()
    .flatten()
    .unwrap_or(pg_sys::InvalidOid);
    OWNER.with(|o| o.set(found.to_u32()));
    found
}

/// Restores the caller's user id and settings, also when an ERROR unwinds through.
struct Restore {
    user: pg_sys::Oid,
    context: i32,
    guc_level: i32,
}

impl Drop for Restore {
    fn drop(&mut self) {
        // SAFETY: undoes exactly what as_catalog_owner set, in reverse order.
        unsafe {
            pg_sys::AtEOXact_GUC(!std::thread::panicking(), self.guc_level);
            pg_sys::SetUserIdAndSecContext(self.user, self.context);
        }
    }
}

/// Runs `f` as the catalog owner with a pinned search_path (see the module comment).
pub fn as_catalog_owner<R>(f: impl FnOnce() -> R) -> R {
    let owner = owner();
    if owner == pg_sys::InvalidOid {
        // No catalog (the extension is being created or dropped): nothing to read as its owner.
        return f();
    }
    let mut user = pg_sys::InvalidOid;
    let mut context = 0i32;
    // SAFETY: reads and sets the backend's current user id, as fmgr_security_definer does.
    let restore = unsafe {
        pg_sys::GetUserIdAndSecContext(&mut user, &mut context);
        let guc_level = pg_sys::NewGUCNestLevel();
        let restore = Restore {
            user,
            context,
            guc_level,
        };
        pg_sys::SetUserIdAndSecContext(
            owner,
            context
                | pg_sys::SECURITY_LOCAL_USERID_CHANGE as i32
                | pg_sys::SECURITY_RESTRICTED_OPERATION as i32,
        );
        pg_sys::set_config_option(
            c"search_path".as_ptr(),
            c"pg_catalog, pg_temp".as_ptr(),
            pg_sys::GucContext::PGC_SUSET,
            pg_sys::GucSource::PGC_S_SESSION,
            pg_sys::GucAction::GUC_ACTION_SAVE,
            true,
            0,
            false,
        );
        restore
    };
    let out = f();
    drop(restore);
    out
}

/// PostgreSQL functions that cannot raise an ERROR, declared without pgrx's guard: the
/// guard's sigsetjmp costs more than the call, and the scoring path asks for the user per row.
mod unguarded {
    extern "C" {
        /// miscinit.c: returns the current user id (a static); never raises an ERROR.
        pub fn GetUserId() -> pgrx::pg_sys::Oid;
    }
}

/// The calling role (the current user outside as_catalog_owner). Cheap: scoring checks per
/// row that the role is the one its call site's model was checked for (bench/scoring.sh:
/// through pgrx's guarded binding this check cost about 15 ns a row, 8% of dm_predict).
pub fn current_user() -> pg_sys::Oid {
    // SAFETY: GetUserId only reads the backend's current user id.
    unsafe { unguarded::GetUserId() }
}

/// Whether `role` is a superuser.
pub fn is_superuser(role: pg_sys::Oid) -> bool {
    // SAFETY: a syscache lookup of the role.
    unsafe { pg_sys::superuser_arg(role) }
}

/// Whether `member` has the privileges of `role` (is it, inherits from it, or is superuser).
pub fn has_privs_of(member: pg_sys::Oid, role: pg_sys::Oid) -> bool {
    // SAFETY: a catalog lookup of role membership.
    unsafe { pg_sys::has_privs_of_role(member, role) }
}

/// The calling role's name.
pub fn current_user_name() -> String {
    // SAFETY: the name of the current user id (an ERROR if the role disappeared); copied.
    unsafe {
        let p = pg_sys::GetUserNameFromId(pg_sys::GetUserId(), false);
        std::ffi::CStr::from_ptr(p).to_string_lossy().into_owned()
    }
}
