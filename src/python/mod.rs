//! PyO3 bindings: argument conversion, error mapping and GIL release. No algorithm lives here.

mod arena;
mod arrays;
mod batch;
mod errors;
mod info;
mod metric;
mod pack;
mod queries;
mod single;

use pyo3::prelude::*;

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<metric::Metric>()?;
    m.add_class::<single::DpResult>()?;
    m.add_function(wrap_pyfunction!(single::distance, m)?)?;
    m.add_function(wrap_pyfunction!(single::dp_details, m)?)?;
    m.add_function(wrap_pyfunction!(single::sowd_cells, m)?)?;
    m.add_class::<arena::ArenaData>()?;
    m.add_function(wrap_pyfunction!(batch::pdist, m)?)?;
    m.add_function(wrap_pyfunction!(batch::cdist, m)?)?;
    m.add_function(wrap_pyfunction!(batch::paired, m)?)?;
    m.add_function(wrap_pyfunction!(batch::condensed_index, m)?)?;
    m.add_function(wrap_pyfunction!(batch::condensed_pair, m)?)?;
    m.add_function(wrap_pyfunction!(batch::available_cores, m)?)?;
    m.add_function(wrap_pyfunction!(batch::plan_condensed, m)?)?;
    m.add_function(wrap_pyfunction!(batch::plan_rect, m)?)?;
    m.add_function(wrap_pyfunction!(queries::neighbors, m)?)?;
    m.add_function(wrap_pyfunction!(queries::lower_bounds, m)?)?;
    m.add_function(wrap_pyfunction!(info::metric_info, m)?)?;
    m.add_function(wrap_pyfunction!(info::build_facts, m)?)?;
    m.add_function(wrap_pyfunction!(info::canonical_name, m)?)?;
    m.add("METRICS", crate::metrics::registry::ALL_METRICS.to_vec())?;
    m.add("__version__", info::VERSION)?;
    m.add("SIMD", crate::cpu::simd_name())?;
    Ok(())
}
