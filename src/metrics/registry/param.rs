//! What a metric parameter is: its type, its value, its check, and how a given value is checked
//! and stored in a `MetricSpec`. The parameters themselves are declared in `registry.rs`.

use super::MetricInfo;
use crate::error::{Error, Result};
use crate::metrics::spec::{MetricKind, MetricSpec, Space, Variant};

/// The type of a parameter's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamType {
    Float,
    Int,
    Bool,
    Str,
    /// A point of 2 or 3 coordinates.
    Point,
}

impl ParamType {
    pub fn name(self) -> &'static str {
        match self {
            ParamType::Float => "float",
            ParamType::Int => "int",
            ParamType::Bool => "bool",
            ParamType::Str => "str",
            ParamType::Point => "point",
        }
    }

    fn what(self) -> &'static str {
        match self {
            ParamType::Float => "a number",
            ParamType::Int => "an integer",
            ParamType::Bool => "True or False",
            ParamType::Str => "None or a string",
            ParamType::Point => "a sequence of 2 or 3 numbers",
        }
    }

    fn holds(self, v: &Value) -> bool {
        matches!(
            (self, v),
            (ParamType::Float, Value::Float(_))
                | (ParamType::Int, Value::Int(_))
                | (ParamType::Bool, Value::Bool(_))
                | (ParamType::Str, Value::Str(_))
                | (ParamType::Point, Value::Point(_))
        )
    }
}

/// A parameter's value; `None` is "not given" (the default).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    None,
    Float(f64),
    Int(i64),
    Bool(bool),
    Str(String),
    Point(Vec<f64>),
}

impl From<f64> for Value {
    fn from(x: f64) -> Self {
        Value::Float(x)
    }
}
impl From<i64> for Value {
    fn from(x: i64) -> Self {
        Value::Int(x)
    }
}
impl From<bool> for Value {
    fn from(x: bool) -> Self {
        Value::Bool(x)
    }
}
impl From<&str> for Value {
    fn from(x: &str) -> Self {
        Value::Str(x.into())
    }
}
impl From<String> for Value {
    fn from(x: String) -> Self {
        Value::Str(x)
    }
}
impl From<Vec<f64>> for Value {
    fn from(x: Vec<f64>) -> Self {
        Value::Point(x)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(x: Option<T>) -> Self {
        x.map_or(Value::None, Into::into)
    }
}

/// What a given value must satisfy beyond its type. Each check words its own messages, prefixed
/// with the parameter's name.
#[derive(Clone, Copy, Debug)]
pub enum Check {
    /// Any value of the type.
    Any,
    /// A finite number >= 0.
    FiniteNonNegative,
    /// An integer from `min` to `max`; the messages for values below and above, with `{got}`,
    /// `{min}` and `{max}` filled in.
    IntRange { min: i64, max: i64, below: &'static str, above: &'static str },
    /// A gap point: 2 or 3 finite coordinates.
    GapPoint,
    /// One of the metric's spaces.
    Space,
    /// One of the metric's variants, and one that supports the space chosen.
    Variant,
}

impl Check {
    /// A short description for `metric_info()`, of the check as metric `m` applies it.
    pub fn describe(self, m: &MetricInfo) -> String {
        match self {
            Check::Any => "any".into(),
            Check::FiniteNonNegative => "finite, >= 0".into(),
            Check::IntRange { min, max, .. } => format!("from {min} to {max}"),
            Check::GapPoint => "2 or 3 finite coordinates".into(),
            Check::Space => quoted(m.spaces()).join(" or "),
            Check::Variant => {
                let names = m.variants.iter().skip(1).map(|v| format!("{:?}", v.variant.name()));
                ["None".to_string()].into_iter().chain(names).collect::<Vec<_>>().join(" or ")
            }
        }
    }

    fn fill(template: &str, got: &str, min: i64, max: i64) -> String {
        template.replace("{got}", got).replace("{min}", &min.to_string()).replace("{max}", &max.to_string())
    }

    /// The message for an integer outside i64 (bindings read such ints as text).
    pub fn int_out_of_range(self, key: &str, negative: bool, text: &str) -> Error {
        match self {
            Check::IntRange { min, max, below, above } => {
                let t = if negative { below } else { above };
                Error::value(format!("{key}: {}", Check::fill(t, text, min, max)))
            }
            _ => Error::value(format!("{key}: too large: {text}")),
        }
    }

    /// The length check of a point, which bindings run before reading its coordinates (a
    /// sequence of 10**15 items must not be read item by item).
    pub fn point_len(key: &str, len: usize) -> Result<()> {
        if len != 2 && len != 3 {
            return Err(Error::value(format!(
                "{key}: the gap point must have 2 or 3 coordinates, got {len}"
            )));
        }
        Ok(())
    }

    fn check(self, key: &str, v: &Value, spec: &MetricSpec) -> Result<()> {
        match (self, v) {
            (Check::FiniteNonNegative, Value::Float(e)) if !e.is_finite() || *e < 0.0 => {
                Err(Error::value(format!("{key}: must be a finite number >= 0, got {e}")))
            }
            (Check::IntRange { min, max, below, above }, Value::Int(x)) if *x < min || *x > max => {
                let t = if *x < min { below } else { above };
                Err(Error::value(format!("{key}: {}", Check::fill(t, &x.to_string(), min, max))))
            }
            (Check::GapPoint, Value::Point(g)) => {
                Check::point_len(key, g.len())?;
                if g.iter().any(|v| !v.is_finite()) {
                    return Err(Error::value(format!(
                        "{key}: the gap point must have finite coordinates, got {g:?}"
                    )));
                }
                Ok(())
            }
            (Check::Space, Value::Str(s)) => {
                let info = spec.kind.info();
                let space = Space::parse(s)?;
                if !info.spaces().contains(&space) {
                    return Err(Error::value(format!(
                        "{key}: {} does not support space {:?}; it supports {}",
                        info.name,
                        space.name(),
                        quoted(info.spaces()).join(" and ")
                    )));
                }
                Ok(())
            }
            (Check::Variant, Value::Str(s)) => {
                let info = spec.kind.info();
                let variant = Variant::parse(s)?;
                let Some(v) = info.variant(variant) else {
                    return Err(Error::value(format!(
                        "{key}: {} has no {}; use {key}=None",
                        variant.name(),
                        info.name
                    )));
                };
                if !v.spaces.contains(&spec.space) {
                    return Err(Error::value(format!(
                        "{key}: {} has no {} {}; use space={:?} or {key}=None",
                        variant.name(),
                        spec.space.name(),
                        info.name,
                        v.spaces[0].name()
                    )));
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

pub(super) fn quoted(spaces: &[Space]) -> Vec<String> {
    spaces.iter().map(|s| format!("{:?}", s.name())).collect()
}

/// One keyword parameter.
#[derive(Clone, Copy)]
pub struct ParamInfo {
    pub name: &'static str,
    pub ty: ParamType,
    /// No default: the metric cannot be built without it.
    pub required: bool,
    pub check: Check,
    /// What it means, for messages and `metric_info()`.
    pub help: &'static str,
    /// Its value in a spec (`Value::None` for an unset option).
    pub get: fn(&MetricSpec) -> Value,
    /// Stores a checked value of the right type.
    pub set: fn(&mut MetricSpec, &Value),
}

impl ParamInfo {
    /// Space and compat decide what the other values mean (and the variant checks the space),
    /// so they are applied first.
    pub(super) fn decides(&self) -> bool {
        matches!(self.check, Check::Space | Check::Variant)
    }

    /// Checks `v` (`None` when not given) and stores it in `spec`.
    pub(super) fn apply(&self, spec: &mut MetricSpec, v: Option<&Value>) -> Result<()> {
        let key = self.name;
        let v = match v {
            None | Some(Value::None) if self.required => {
                return Err(Error::value(format!(
                    "{key}: {} requires {key}= ({})",
                    spec.kind.name(),
                    self.help
                )))
            }
            None | Some(Value::None) => return Ok(()),
            Some(v) => v,
        };
        if !self.ty.holds(v) {
            return Err(Error::type_(format!("{key}: expected {}, got {v:?}", self.ty.what())));
        }
        self.check.check(key, v, spec)?;
        (self.set)(spec, v);
        Ok(())
    }

    /// The value a spec of `kind` has when the parameter is not given (`Value::None` for a
    /// required parameter or an unset option).
    pub fn default(&self, kind: MetricKind) -> Value {
        if self.required {
            Value::None
        } else {
            (self.get)(&MetricSpec::blank(kind))
        }
    }
}
