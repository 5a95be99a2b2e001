//! Batch computation over packed collections: which pairs go where (`pairs`), what each pair
//! costs to evaluate (`evaluator`), how the work is run (`executor`, tuned by `tuning`), and
//! what a call over arenas touches (`task`).

pub mod condensed;
pub mod evaluator;
pub mod executor;
pub mod pairs;
pub mod plan;
pub mod task;
pub mod tuning;

pub use evaluator::Evaluator;
pub use executor::{run, Control, OutSlice};
pub use pairs::PairIndex;
