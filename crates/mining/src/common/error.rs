//! Errors of the mining layer. The API layer maps each kind to a SQLSTATE.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// A hyperparameter, option or argument value is invalid (22023).
    InvalidParameter,
    /// The data cannot be used as asked: empty, all NULL, NaN, one class (22000).
    InvalidData,
    /// A column named by the user does not exist (42703).
    UndefinedColumn,
    /// Two columns of a relation have the same name where it matters (42701).
    DuplicateColumn,
    /// Stored model bytes cannot be read (XX001).
    Corrupt,
    /// A scoring input does not match the model's features (42804).
    InputMismatch,
    /// The operation does not apply to this model (0A000).
    NotSupported,
    /// A step would need more memory than the budget allows (53200).
    OutOfMemory,
    /// A result would be larger than its cap (an option the user can raise) allows (54000).
    LimitExceeded,
    /// A bug or a library failure (XX000).
    Internal,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
        }
    }
    pub fn param(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidParameter, message)
    }
    pub fn data(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidData, message)
    }
    pub fn column(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::UndefinedColumn, message)
    }
    pub fn input(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InputMismatch, message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}
