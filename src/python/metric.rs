//! `trajarena.Metric`: a validated, immutable, picklable, hashable metric specification.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyInt, PySequence, PyString, PyTuple};

use super::errors::to_py;
use crate::metrics::spec::{MetricKind, MetricSpec, ParamRepr, Params, MAX_WINDOW};

#[pyclass(frozen, module = "trajarena")]
pub struct Metric {
    pub spec: MetricSpec,
}

/// How an argument is shown in a message: its repr and type, e.g. `'a' (str)`, shortened when
/// long.
fn shown(v: &Bound<'_, PyAny>) -> String {
    format!("{} ({})", brief(v), type_name(v))
}

/// An argument's repr, shortened when long (and ints of any size, which Python may refuse to
/// print).
fn brief(v: &Bound<'_, PyAny>) -> String {
    if v.is_instance_of::<PyInt>() && !v.is_instance_of::<PyBool>() {
        return int_text(v);
    }
    match v.repr() {
        Ok(r) => {
            let r = r.to_string();
            if r.chars().count() > 60 {
                format!("{}...", r.chars().take(50).collect::<String>())
            } else {
                r
            }
        }
        Err(_) => format!("a {}", type_name(v)),
    }
}

/// An int's digits, or its size when it is too long to be worth printing (str() refuses ints
/// of more than 4300 digits).
fn int_text(i: &Bound<'_, PyAny>) -> String {
    let bits: u64 = i.call_method0("bit_length").and_then(|b| b.extract()).unwrap_or(u64::MAX);
    if bits > 128 {
        let digits = (bits as f64 * std::f64::consts::LOG10_2).ceil();
        return format!("an integer of about {digits} digits");
    }
    i.str().map(|s| s.to_string()).unwrap_or_else(|_| "an integer".into())
}

/// Python bools and numpy's: ints (and floats) to Python, but never meant as a number here.
fn is_bool(v: &Bound<'_, PyAny>) -> bool {
    v.is_instance_of::<PyBool>()
        || v.get_type().module().is_ok_and(|m| m == "numpy") && type_name(v).starts_with("bool")
}

/// Why a value is not a float parameter.
enum NotFloat {
    Bool,
    NotNumber,
    TooLarge,
}

fn to_f64(v: &Bound<'_, PyAny>) -> Result<f64, NotFloat> {
    if is_bool(v) {
        return Err(NotFloat::Bool);
    }
    // str and bytes are not numbers even where float() would parse them.
    if v.is_instance_of::<PyString>() || v.is_instance_of::<PyBytes>() {
        return Err(NotFloat::NotNumber);
    }
    v.extract::<f64>().map_err(|e| {
        if e.is_instance_of::<PyOverflowError>(v.py()) {
            NotFloat::TooLarge
        } else {
            NotFloat::NotNumber
        }
    })
}

fn opt_float(v: &Bound<'_, PyAny>, key: &str) -> PyResult<Option<f64>> {
    if v.is_none() {
        return Ok(None);
    }
    to_f64(v).map(Some).map_err(|why| match why {
        NotFloat::Bool => PyTypeError::new_err(format!("{key}: expected a number, got a bool ({})", brief(v))),
        NotFloat::NotNumber => PyTypeError::new_err(format!("{key}: expected a number, got {}", shown(v))),
        NotFloat::TooLarge => PyValueError::new_err(format!(
            "{key}: too large: {} (a float holds at most {:e})",
            brief(v),
            f64::MAX
        )),
    })
}

/// An integer parameter that may be outside i64; `spec.rs` checks the ranges of those inside.
enum IntArg {
    Fits(i64),
    /// Too large in magnitude for i64: whether it is negative, and its text.
    Beyond(bool, String),
}

fn opt_int(v: &Bound<'_, PyAny>, key: &str) -> PyResult<Option<IntArg>> {
    if v.is_none() {
        return Ok(None);
    }
    if is_bool(v) {
        return Err(PyTypeError::new_err(format!("{key}: expected an integer, got a bool ({})", brief(v))));
    }
    // operator.index semantics: ints and numpy integers, not floats.
    let i = v
        .call_method0("__index__")
        .map_err(|_| PyTypeError::new_err(format!("{key}: expected an integer, got {}", shown(v))))?;
    Ok(Some(match i.extract::<i64>() {
        Ok(x) => IntArg::Fits(x),
        Err(_) => IntArg::Beyond(i.lt(0)?, int_text(&i)),
    }))
}

fn opt_str(v: &Bound<'_, PyAny>, key: &str) -> PyResult<Option<String>> {
    if v.is_none() {
        return Ok(None);
    }
    v.extract::<String>()
        .map(Some)
        .map_err(|_| PyTypeError::new_err(format!("{key}: expected None or a string, got {}", shown(v))))
}

/// True or False (numpy's too, and the ints 0 and 1); anything else would be read by its
/// truth value, and normalize="no" would normalise.
fn opt_bool(v: &Bound<'_, PyAny>, key: &str) -> PyResult<Option<bool>> {
    if v.is_none() {
        return Ok(None);
    }
    if is_bool(v) {
        return v.is_truthy().map(Some);
    }
    if let Ok(x @ (0 | 1)) = v.call_method0("__index__").and_then(|i| i.extract::<i64>()) {
        return Ok(Some(x == 1));
    }
    Err(PyTypeError::new_err(format!("{key}: expected True or False, got {}", shown(v))))
}

/// ERP's gap point: a sequence of 2 or 3 numbers.
fn opt_point(v: &Bound<'_, PyAny>, key: &str) -> PyResult<Option<Vec<f64>>> {
    if v.is_none() {
        return Ok(None);
    }
    let not_seq =
        || PyTypeError::new_err(format!("{key}: expected a sequence of 2 or 3 numbers, got {}", shown(v)));
    if v.is_instance_of::<PyString>() || v.is_instance_of::<PyBytes>() {
        return Err(not_seq());
    }
    let seq = v.cast::<PySequence>().map_err(|_| not_seq())?;
    let len = seq.len().map_err(|_| not_seq())?;
    // The length first: g=range(10**12) must not be read item by item.
    if len != 2 && len != 3 {
        return Err(PyValueError::new_err(format!(
            "{key}: the gap point must have 2 or 3 coordinates, got {len}"
        )));
    }
    let items: Vec<Bound<'_, PyAny>> = (0..len).map(|k| seq.get_item(k)).collect::<PyResult<_>>()?;
    let mut g = Vec::with_capacity(len);
    for (k, x) in items.iter().enumerate() {
        let listed = || items.iter().map(|x| brief(x)).collect::<Vec<_>>().join(", ");
        g.push(to_f64(x).map_err(|why| match why {
            NotFloat::Bool => PyTypeError::new_err(format!(
                "{key}: expected numbers, got [{}]; {key}[{k}] is a bool",
                listed()
            )),
            NotFloat::NotNumber => PyTypeError::new_err(format!(
                "{key}: expected numbers, got [{}]; {key}[{k}] is {}",
                listed(),
                shown(x)
            )),
            NotFloat::TooLarge => PyValueError::new_err(format!(
                "{key}: expected numbers a float can hold, got [{}]; {key}[{k}] is too large \
                 (at most {:e})",
                listed(),
                f64::MAX
            )),
        })?);
    }
    Ok(Some(g))
}

fn type_name(v: &Bound<'_, PyAny>) -> String {
    v.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into())
}

/// `window`, `precision`: huge ints get the message their range would give.
fn int_param(v: &Bound<'_, PyAny>, key: &str) -> PyResult<Option<i64>> {
    match opt_int(v, key)? {
        None => Ok(None),
        Some(IntArg::Fits(x)) => Ok(Some(x)),
        Some(IntArg::Beyond(negative, text)) => Err(PyValueError::new_err(match (key, negative) {
            ("window", true) => format!("window: must be None or an integer >= 0, got {text}"),
            ("window", false) => format!("window: too large: {text} (at most {})", MAX_WINDOW),
            _ => format!("{key}: geohash precision must be an integer from 1 to 12, got {text}"),
        })),
    }
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
                    "window" => p.window = int_param(&v, "window")?,
                    "precision" => p.precision = int_param(&v, "precision")?,
                    "normalize" => p.normalize = opt_bool(&v, "normalize")?,
                    "g" => p.g = opt_point(&v, "g")?,
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
