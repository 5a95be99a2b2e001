//! `trajarena.Metric`: a validated, immutable, picklable, hashable metric specification.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use super::errors::to_py;
use crate::metrics::spec::{MetricKind, MetricSpec, ParamRepr, Params};

#[pyclass(frozen, module = "trajarena")]
pub struct Metric {
    pub spec: MetricSpec,
}

fn opt_float(v: &Bound<'_, PyAny>, key: &str) -> PyResult<Option<f64>> {
    if v.is_none() {
        return Ok(None);
    }
    if v.is_instance_of::<pyo3::types::PyBool>() {
        return Err(PyTypeError::new_err(format!("{key}: expected a number, got a bool")));
    }
    v.extract::<f64>()
        .map(Some)
        .map_err(|_| PyTypeError::new_err(format!("{key}: expected a number, got {}", type_name(v))))
}

fn opt_int(v: &Bound<'_, PyAny>, key: &str) -> PyResult<Option<i64>> {
    if v.is_none() {
        return Ok(None);
    }
    if v.is_instance_of::<pyo3::types::PyBool>() {
        return Err(PyTypeError::new_err(format!("{key}: expected an integer, got a bool")));
    }
    // operator.index semantics: ints and numpy integers, not floats.
    v.call_method0("__index__")
        .and_then(|i| i.extract::<i64>())
        .map(Some)
        .map_err(|_| PyTypeError::new_err(format!("{key}: expected an integer, got {}", type_name(v))))
}

fn opt_str(v: &Bound<'_, PyAny>, key: &str) -> PyResult<Option<String>> {
    if v.is_none() {
        return Ok(None);
    }
    v.extract::<String>()
        .map(Some)
        .map_err(|_| PyTypeError::new_err(format!("{key}: expected a string, got {}", type_name(v))))
}

fn type_name(v: &Bound<'_, PyAny>) -> String {
    v.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into())
}

impl Metric {
    pub fn from_parts(name: &str, params: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let kind = MetricKind::parse(name).map_err(to_py)?;
        let mut p = Params::default();
        if let Some(d) = params {
            for (k, v) in d.iter() {
                let key: String = k.extract()?;
                if !kind.params().contains(&key.as_str()) {
                    let accepts = if kind.params().is_empty() {
                        "no parameters".to_string()
                    } else {
                        format!("only {}", kind.params().join(", "))
                    };
                    return Err(PyTypeError::new_err(format!(
                        "{key}: unknown parameter for metric {:?}; it accepts {accepts}",
                        kind.name()
                    )));
                }
                match key.as_str() {
                    "space" => p.space = opt_str(&v, "space")?,
                    "compat" => p.compat = opt_str(&v, "compat")?,
                    "eps" => p.eps = opt_float(&v, "eps")?,
                    "window" => p.window = opt_int(&v, "window")?,
                    "precision" => p.precision = opt_int(&v, "precision")?,
                    "normalize" => {
                        p.normalize = if v.is_none() { None } else { Some(v.is_truthy()?) }
                    }
                    "g" => {
                        p.g = if v.is_none() {
                            None
                        } else {
                            Some(v.extract::<Vec<f64>>().map_err(|_| {
                                PyTypeError::new_err(format!(
                                    "g: expected a sequence of 2 or 3 numbers, got {}",
                                    type_name(&v)
                                ))
                            })?)
                        }
                    }
                    _ => unreachable!(),
                }
            }
        }
        Ok(Metric { spec: MetricSpec::new(kind, p).map_err(to_py)? })
    }

    fn kwargs<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (k, v) in self.spec.non_default_params() {
            match v {
                ParamRepr::Float(x) => d.set_item(k, x)?,
                ParamRepr::Int(x) => d.set_item(k, x)?,
                ParamRepr::Bool(x) => d.set_item(k, x)?,
                ParamRepr::Str(x) => d.set_item(k, x)?,
                ParamRepr::Floats(x) => d.set_item(k, PyTuple::new(py, x)?)?,
            }
        }
        Ok(d)
    }
}

#[pymethods]
impl Metric {
    #[new]
    #[pyo3(signature = (name, **params))]
    fn py_new(name: &Bound<'_, PyAny>, params: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        if let Ok(m) = name.cast::<Metric>() {
            if params.is_none_or(|p| p.is_empty()) {
                return Ok(Metric { spec: m.get().spec.clone() });
            }
        }
        let name: String = name.extract().map_err(|_| {
            PyTypeError::new_err(format!("metric: expected a metric name (str), got {}", type_name(name)))
        })?;
        Metric::from_parts(&name, params)
    }

    /// The canonical metric name.
    #[getter]
    fn name(&self) -> &'static str {
        self.spec.kind.name()
    }

    /// The parameters that differ from the defaults.
    #[getter]
    fn params<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.kwargs(py)
    }

    #[getter]
    fn space(&self) -> &'static str {
        self.spec.space.name()
    }

    fn __repr__(&self) -> String {
        let mut s = format!("Metric({:?}", self.spec.kind.name());
        for (k, v) in self.spec.non_default_params() {
            let v = match v {
                ParamRepr::Float(x) => format!("{x:?}"),
                ParamRepr::Int(x) => x.to_string(),
                ParamRepr::Bool(x) => if x { "True".into() } else { "False".into() },
                ParamRepr::Str(x) => format!("{x:?}"),
                ParamRepr::Floats(x) => {
                    let inner: Vec<String> = x.iter().map(|f| format!("{f:?}")).collect();
                    format!("({}{})", inner.join(", "), if x.len() == 1 { "," } else { "" })
                }
            };
            s.push_str(&format!(", {k}={v}"));
        }
        s.push(')');
        s.replace('"', "'")
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<Metric>().is_ok_and(|o| o.get().spec == self.spec)
    }

    fn __hash__(&self) -> u64 {
        let mut h = DefaultHasher::new();
        self.__repr__().hash(&mut h);
        h.finish()
    }

    fn __getnewargs_ex__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyTuple>, Bound<'py, PyDict>)> {
        Ok((PyTuple::new(py, [self.spec.kind.name()])?, self.kwargs(py)?))
    }
}
