//! Batch computation over packed collections: which pairs go where (`pairs`), what each pair
//! costs to evaluate (`evaluator`), how the work is run (`executor`, tuned by `tuning`), what
//! a call over arenas touches (`task`), and queries that keep only the neighbours
//! (`neighbors`).

pub mod condensed;
pub mod evaluator;
pub mod executor;
pub mod neighbors;
pub mod pairs;
pub mod plan;
pub mod task;
pub mod tuning;

pub use evaluator::Evaluator;
pub use executor::{run, Control, OutSlice};
pub use pairs::PairIndex;
