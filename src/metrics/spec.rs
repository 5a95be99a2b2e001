//! The metric specification: a name plus its parameters, validated once and then immutable.

use super::registry::{self, Family, MetricInfo, Value, VariantInfo, METRICS};
use crate::error::{Error, Result};

pub use super::registry::ALL_METRICS;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MetricKind {
    Dtw,
    DiscreteFrechet,
    Frechet,
    Hausdorff,
    Sspd,
    Lcss,
    Edr,
    Erp,
    Edwp,
    Sowd,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Space {
    Euclidean,
    /// Haversine on [longitude, latitude] in degrees.
    Spherical,
}

/// Which definition: the papers' (`Standard`) or traj-dist 1.15's numbers (`TrajDist`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Variant {
    Standard,
    TrajDist,
}

impl MetricKind {
    /// The metric's entry in the registry.
    pub fn info(self) -> &'static MetricInfo {
        &METRICS[self as usize]
    }

    /// The metric called `name` or one of its aliases, in any case.
    pub fn parse(name: &str) -> Result<Self> {
        registry::lookup(name).map(|m| m.kind)
    }

    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// The spaces it supports; the first is the default.
    pub fn spaces(self) -> &'static [Space] {
        self.info().spaces()
    }

    /// Metrics computed by a dynamic programme over the (n+1) x (m+1) matrix.
    pub fn is_dp(self) -> bool {
        self.info().family == Family::Dp
    }
}

impl Space {
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "euclidean" => Ok(Space::Euclidean),
            "spherical" => Ok(Space::Spherical),
            _ => Err(Error::value(format!(
                "space: unknown space {s:?}; use \"euclidean\" or \"spherical\""
            ))),
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Space::Euclidean => "euclidean",
            Space::Spherical => "spherical",
        }
    }
}

impl Variant {
    /// `compat=`'s value: None or "standard", "traj-dist" (or "traj_dist").
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "standard" => Ok(Variant::Standard),
            "traj-dist" | "traj_dist" => Ok(Variant::TrajDist),
            _ => Err(Error::value(format!("compat: unknown value {s:?}; use None or \"traj-dist\""))),
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Variant::Standard => "standard",
            Variant::TrajDist => "traj-dist",
        }
    }
}

/// The largest DTW window: it is stored as a usize and reported back as an i64. Any window of at
/// least the longer trajectory's length is no band at all.
pub const MAX_WINDOW: i64 = if (usize::MAX as u64) < i64::MAX as u64 { usize::MAX as i64 } else { i64::MAX };

/// Parameters as the caller gave them, by name (`MetricSpec::new` checks them against the
/// registry). A later value of a name replaces an earlier one.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Params(Vec<(String, Value)>);

impl Params {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with(mut self, key: &str, v: impl Into<Value>) -> Self {
        self.set(key, v.into());
        self
    }

    pub fn set(&mut self, key: &str, v: Value) {
        self.0.push((key.to_string(), v));
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct MetricSpec {
    pub kind: MetricKind,
    pub space: Space,
    pub variant: Variant,
    pub eps: f64,
    pub window: Option<usize>,
    pub normalize: bool,
    /// ERP gap point; `None` is the origin of whatever dimension the data has.
    pub g: Option<Vec<f64>>,
    pub precision: u32,
}

impl MetricSpec {
    /// Checks the parameters against the metric's registry entry.
    pub fn new(kind: MetricKind, p: Params) -> Result<Self> {
        kind.info().build(&p.0)
    }

    /// The spec of `kind` with every parameter at its default: the defaults live here, and
    /// `registry::ParamInfo::default` reads them back.
    pub fn blank(kind: MetricKind) -> Self {
        MetricSpec {
            kind,
            space: kind.spaces()[0],
            variant: Variant::Standard,
            eps: 0.0,
            window: None,
            normalize: true,
            g: None,
            precision: 7,
        }
    }

    pub fn parse(name: &str, p: Params) -> Result<Self> {
        Self::new(MetricKind::parse(name)?, p)
    }

    /// Checks that trajectories of dimension `dim` (and length `len`) suit this metric.
    /// `label` names the trajectory in the message; it is only formatted for an error, so batch
    /// calls can pass `&format_args!("X[{i}]")` for every trajectory at no cost.
    pub fn check_traj(&self, dim: usize, len: usize, label: &dyn std::fmt::Display) -> Result<()> {
        let name = self.kind.name();
        if self.space == Space::Spherical && dim != 2 {
            let what = if self.kind == MetricKind::Sowd {
                format!("{name} rasterises [longitude, latitude] points")
            } else {
                format!("space=\"spherical\" takes [longitude, latitude] points")
            };
            return Err(Error::value(format!("{label}: {what}, got {dim} coordinates per point")));
        }
        if let Some(g) = &self.g {
            if g.len() != dim {
                return Err(Error::value(format!(
                    "g: the gap point has {} coordinates but {label} has {dim}",
                    g.len()
                )));
            }
        }
        if self.variant == Variant::TrajDist {
            if self.kind == MetricKind::Frechet && (dim != 2 || len < 2) {
                return Err(Error::value(format!(
                    "{label}: frechet with compat=\"traj-dist\" needs 2-D trajectories of at least 2 points \
                     (traj-dist fails on shorter ones); use compat=None"
                )));
            }
            if matches!(self.kind, MetricKind::Hausdorff | MetricKind::Sspd) && len < 2 {
                return Err(Error::value(format!(
                    "{label}: {name} with compat=\"traj-dist\" needs at least 2 points (traj-dist returns \
                     a 9e100 sentinel for one point); use compat=None"
                )));
            }
        }
        Ok(())
    }

    /// Constructor arguments that differ from the defaults, in signature order (repr, pickle).
    pub fn non_default_params(&self) -> Vec<(&'static str, Value)> {
        self.kind.info().non_default(self)
    }

    fn variant_info(&self) -> &'static VariantInfo {
        self.kind.info().variant(self.variant).expect("new() admits only the metric's variants")
    }

    /// d(a, b) == d(b, a) bit for bit, so a symmetric matrix needs each pair once.
    pub fn symmetric(&self) -> bool {
        self.variant_info().symmetric
    }

    /// The triangle inequality holds (in exact arithmetic; see `registry::VariantInfo`).
    pub fn triangle(&self) -> bool {
        self.variant_info().triangle
    }
}
