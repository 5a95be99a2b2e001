//! trajarena: trajectory distances over flat, shareable storage.
//!
//! The core (geometry, metrics, batch) is plain Rust; `python/` holds the PyO3 bindings and is
//! compiled only with the `python` feature.

pub mod arena;
pub mod batch;
pub mod cancel;
pub mod cpu;
pub mod error;
pub mod geometry;
pub mod memory;
pub mod metrics;
pub mod traj;

#[cfg(test)]
mod test_rng;

#[cfg(feature = "python")]
mod python;

pub use error::{Error, Result};
pub use metrics::spec::{MetricKind, MetricSpec, Space, Variant};
pub use traj::{Collection, Traj};
