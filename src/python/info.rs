//! The registry of metrics and the build's facts, as plain Python dicts.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use super::errors::to_py;
use super::metric::to_object;
use crate::metrics::registry::{self, MetricInfo, Value, METRICS};
use crate::metrics::spec::Variant;

fn metric_dict<'py>(py: Python<'py>, m: &MetricInfo) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("name", m.name)?;
    d.set_item("aliases", PyTuple::new(py, m.aliases)?)?;
    d.set_item("summary", m.summary)?;
    d.set_item("family", m.family.name())?;
    d.set_item("return_path", m.kind.is_dp())?;
    d.set_item("spaces", PyTuple::new(py, m.spaces().iter().map(|s| s.name()))?)?;
    let params = PyList::empty(py);
    for p in m.params {
        let e = PyDict::new(py);
        e.set_item("name", p.name)?;
        e.set_item("type", p.ty.name())?;
        e.set_item("required", p.required)?;
        e.set_item("default", to_object(py, &p.default(m.kind))?)?;
        e.set_item("check", p.check.describe(m))?;
        e.set_item("help", p.help)?;
        params.append(e)?;
    }
    d.set_item("params", PyTuple::new(py, params)?)?;
    let variants = PyList::empty(py);
    for v in m.variants {
        let e = PyDict::new(py);
        // As `compat=` takes it: None for the standard definition.
        let compat = match v.variant {
            Variant::Standard => Value::None,
            other => Value::Str(other.name().into()),
        };
        e.set_item("compat", to_object(py, &compat)?)?;
        e.set_item("name", v.name)?;
        e.set_item("spaces", PyTuple::new(py, v.spaces.iter().map(|s| s.name()))?)?;
        e.set_item("symmetric", v.symmetric)?;
        e.set_item("triangle", v.triangle)?;
        variants.append(e)?;
    }
    d.set_item("variants", PyTuple::new(py, variants)?)?;
    Ok(d)
}

/// Every metric of the registry as a dict (name, aliases, summary, family, return_path,
/// spaces, params, variants), in registry order; `trajarena.metric_info` documents the keys.
#[pyfunction]
pub fn metric_info(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    let out = PyList::empty(py);
    for m in METRICS {
        out.append(metric_dict(py, m)?)?;
    }
    Ok(out)
}

/// The canonical name of the metric called `name` or one of its aliases (any case).
#[pyfunction]
pub fn canonical_name(name: &str) -> PyResult<&'static str> {
    registry::lookup(name).map(|m| m.name).map_err(to_py)
}

/// The crate's version (Cargo.toml, the one source of `trajarena.__version__`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Facts of this build: version, SIMD level in use, target, whether debug assertions are on.
#[pyfunction]
pub fn build_facts(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("version", VERSION)?;
    d.set_item("simd", crate::cpu::simd_name())?;
    d.set_item("target", format!("{}-{}", std::env::consts::ARCH, std::env::consts::OS))?;
    d.set_item("debug", cfg!(debug_assertions))?;
    Ok(d)
}
