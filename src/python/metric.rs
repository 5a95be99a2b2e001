//! `trajarena.Metric`: a validated, immutable, picklable, hashable metric specification.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyInt, PySequence, PyString, PyTuple};

use super::errors::to_py;
use crate::metrics::registry::{Check, ParamInfo, ParamType, Value};
use crate::metrics::spec::{MetricKind, MetricSpec, Params};

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
    Check::point_len(key, len).map_err(to_py)?;
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

/// A Python value as the registry's parameter `p` takes it: type errors are worded here, range
/// errors by the registry's checks (huge ints included).
fn value_of(v: &Bound<'_, PyAny>, p: &ParamInfo) -> PyResult<Value> {
    let key = p.name;
    Ok(match p.ty {
        ParamType::Str => opt_str(v, key)?.into(),
        ParamType::Float => opt_float(v, key)?.into(),
        ParamType::Bool => opt_bool(v, key)?.into(),
        ParamType::Point => opt_point(v, key)?.into(),
        ParamType::Int => match opt_int(v, key)? {
            None => Value::None,
            Some(IntArg::Fits(x)) => Value::Int(x),
            Some(IntArg::Beyond(negative, text)) => {
                return Err(to_py(p.check.int_out_of_range(key, negative, &text)))
            }
        },
    })
}

/// A value as Python sees it: in `params`, pickling and the registry's defaults.
pub(super) fn to_object<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::None => py.None().into_bound(py),
        Value::Float(x) => x.into_pyobject(py)?.into_any(),
        Value::Int(x) => x.into_pyobject(py)?.into_any(),
        Value::Bool(x) => PyBool::new(py, *x).to_owned().into_any(),
        Value::Str(x) => PyString::new(py, x).into_any(),
        Value::Point(x) => PyTuple::new(py, x)?.into_any(),
    })
}

/// A value as `Metric`'s repr shows it.
fn repr_of(v: &Value) -> String {
    match v {
        Value::None => "None".into(),
        Value::Float(x) => format!("{x:?}"),
        Value::Int(x) => x.to_string(),
        Value::Bool(x) => if *x { "True".into() } else { "False".into() },
        Value::Str(x) => format!("{x:?}"),
        Value::Point(x) => {
            let inner: Vec<String> = x.iter().map(|f| format!("{f:?}")).collect();
            format!("({}{})", inner.join(", "), if x.len() == 1 { "," } else { "" })
        }
    }
}

impl Metric {
    pub fn from_parts(name: &str, params: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let kind = MetricKind::parse(name).map_err(to_py)?;
        let info = kind.info();
        let mut p = Params::new();
        if let Some(d) = params {
            for (k, v) in d.iter() {
                let key: String = k.extract()?;
                let param = info.param(&key).map_err(to_py)?;
                p.set(&key, value_of(&v, param)?);
            }
        }
        Ok(Metric { spec: MetricSpec::new(kind, p).map_err(to_py)? })
    }

    fn kwargs<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (k, v) in self.spec.non_default_params() {
            d.set_item(k, to_object(py, &v)?)?;
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

    /// d(a, b) == d(b, a) bit for bit (the registry's flag for this metric and variant).
    #[getter]
    fn symmetric(&self) -> bool {
        self.spec.symmetric()
    }

    /// Whether the triangle inequality holds (in exact arithmetic) for this metric and variant.
    #[getter]
    fn triangle(&self) -> bool {
        self.spec.triangle()
    }

    fn __repr__(&self) -> String {
        let mut s = format!("Metric({:?}", self.spec.kind.name());
        for (k, v) in self.spec.non_default_params() {
            s.push_str(&format!(", {k}={}", repr_of(&v)));
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
