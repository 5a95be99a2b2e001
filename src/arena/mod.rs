//! Arena format v1: trajectories packed once as offsets + point-major coordinates, in a file, in
//! shared memory or in any byte buffer, readable zero-copy after one full validation.
//!
//! `format` holds the header layout and its checks, `writer` creates sealed files atomically,
//! `reader` validates a byte buffer (or a memory map) and hands out a [`Collection`] view, and
//! `store` is an arena in memory as batch calls read it (owned, mapped or borrowed).
//!
//! [`Collection`]: crate::traj::Collection

mod crc32;
pub mod format;
pub mod reader;
pub mod store;
pub mod writer;

pub use format::{Header, HEADER_LEN, MAGIC, VERSION_MAJOR, VERSION_MINOR};
pub use reader::{ArenaBytes, MappedArena};
pub use store::{Arena, Fingerprint};
pub use writer::write_file;
