//! Every error a user can cause becomes an ERROR with a SQLSTATE and a message naming the
//! model, column or value.

use pgrx::pg_sys::errcodes::PgSqlErrorCode;
use pgrx::prelude::*;

use mining::common::error::{Error, ErrorKind};

pub enum SqlError {
    InvalidName(String),
    UndefinedTable(String),
    UndefinedObject(String),
    /// The object exists but is not in a state that allows the operation (55000).
    State(String),
    /// A concurrent transaction changed what this one read; retrying can succeed (40001).
    Serialization(String),
    /// A required argument is NULL (22004).
    NullArgument(String),
    /// The calling role lacks a right on the model (42501).
    Privilege(String),
    /// Other objects depend on what would be dropped (2BP01).
    DependentObjects(String),
    Mining(Error),
    Internal(String),
}

impl From<Error> for SqlError {
    fn from(e: Error) -> Self {
        SqlError::Mining(e)
    }
}

fn code(kind: ErrorKind) -> PgSqlErrorCode {
    match kind {
        ErrorKind::InvalidParameter => PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
        ErrorKind::InvalidData => PgSqlErrorCode::ERRCODE_DATA_EXCEPTION,
        ErrorKind::UndefinedColumn => PgSqlErrorCode::ERRCODE_UNDEFINED_COLUMN,
        ErrorKind::DuplicateColumn => PgSqlErrorCode::ERRCODE_DUPLICATE_COLUMN,
        ErrorKind::Corrupt => PgSqlErrorCode::ERRCODE_DATA_CORRUPTED,
        ErrorKind::InputMismatch => PgSqlErrorCode::ERRCODE_DATATYPE_MISMATCH,
        ErrorKind::NotSupported => PgSqlErrorCode::ERRCODE_FEATURE_NOT_SUPPORTED,
        ErrorKind::OutOfMemory => PgSqlErrorCode::ERRCODE_OUT_OF_MEMORY,
        ErrorKind::LimitExceeded => PgSqlErrorCode::ERRCODE_PROGRAM_LIMIT_EXCEEDED,
        ErrorKind::Internal => PgSqlErrorCode::ERRCODE_INTERNAL_ERROR,
    }
}

/// Raises the error as a Postgres ERROR; never returns.
pub fn raise(e: SqlError) -> ! {
    let (code, message) = match e {
        SqlError::InvalidName(m) => (PgSqlErrorCode::ERRCODE_INVALID_NAME, m),
        SqlError::UndefinedTable(m) => (PgSqlErrorCode::ERRCODE_UNDEFINED_TABLE, m),
        SqlError::UndefinedObject(m) => (PgSqlErrorCode::ERRCODE_UNDEFINED_OBJECT, m),
        SqlError::State(m) => (PgSqlErrorCode::ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE, m),
        SqlError::Serialization(m) => (PgSqlErrorCode::ERRCODE_T_R_SERIALIZATION_FAILURE, m),
        SqlError::NullArgument(m) => (PgSqlErrorCode::ERRCODE_NULL_VALUE_NOT_ALLOWED, m),
        SqlError::Privilege(m) => (PgSqlErrorCode::ERRCODE_INSUFFICIENT_PRIVILEGE, m),
        SqlError::DependentObjects(m) => (PgSqlErrorCode::ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST, m),
        SqlError::Mining(e) => (code(e.kind), e.message),
        SqlError::Internal(m) => (PgSqlErrorCode::ERRCODE_INTERNAL_ERROR, m),
    };
    ereport!(ERROR, code, message);
}

/// Raises a mining error with a prefix naming the model.
pub fn raise_for(model: &str, e: Error) -> ! {
    raise(SqlError::Mining(Error::new(
        e.kind,
        format!("model \"{model}\": {}", e.message),
    )))
}

pub trait OrRaise<T> {
    fn or_raise(self) -> T;
    /// Raises with a prefix naming the model.
    fn or_raise_for(self, model: &str) -> T;
    /// Raises with a prefix naming the SQL function (for functions without a model).
    fn or_raise_in(self, function: &str) -> T;
}

impl<T> OrRaise<T> for Result<T, Error> {
    fn or_raise(self) -> T {
        match self {
            Ok(v) => v,
            Err(e) => raise(SqlError::Mining(e)),
        }
    }
    fn or_raise_for(self, model: &str) -> T {
        match self {
            Ok(v) => v,
            Err(e) => raise_for(model, e),
        }
    }
    fn or_raise_in(self, function: &str) -> T {
        match self {
            Ok(v) => v,
            Err(e) => raise(SqlError::Mining(Error::new(
                e.kind,
                format!("{function}: {}", e.message),
            ))),
        }
    }
}
