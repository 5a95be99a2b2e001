//! One error type for the core; the bindings map `Value` to ValueError, `Type` to TypeError,
//! `Os` to OSError and `Memory` to MemoryError.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// A value of the right kind that is not acceptable (negative eps, NaN coordinate, ...).
    Value(String),
    /// An argument of the wrong kind (unknown keyword, wrong type).
    Type(String),
    /// The operating system refused (file not found, disk or tmpfs full, ...): OSError.
    Os(String),
    /// An allocation the input asks for is larger than this machine can give: MemoryError.
    Memory(String),
    /// The caller asked to stop (KeyboardInterrupt or a progress callback); the output is partial.
    Cancelled,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn value(msg: impl Into<String>) -> Self {
        Error::Value(msg.into())
    }
    pub fn type_(msg: impl Into<String>) -> Self {
        Error::Type(msg.into())
    }
    pub fn os(msg: impl Into<String>) -> Self {
        Error::Os(msg.into())
    }
    pub fn memory(msg: impl Into<String>) -> Self {
        Error::Memory(msg.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Value(m) | Error::Type(m) | Error::Os(m) | Error::Memory(m) => f.write_str(m),
            Error::Cancelled => f.write_str("computation cancelled"),
        }
    }
}

impl std::error::Error for Error {}
