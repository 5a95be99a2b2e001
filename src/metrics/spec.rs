//! The metric specification: a name plus its parameters, validated once and then immutable.

use crate::error::{Error, Result};

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

pub const ALL_METRICS: &[&str] = &[
    "dtw",
    "discrete_frechet",
    "frechet",
    "hausdorff",
    "sspd",
    "lcss",
    "edr",
    "erp",
    "edwp",
    "sowd",
];

impl MetricKind {
    pub fn parse(name: &str) -> Result<Self> {
        Ok(match name.to_ascii_lowercase().as_str() {
            "dtw" => MetricKind::Dtw,
            "discrete_frechet" | "discret_frechet" => MetricKind::DiscreteFrechet,
            "frechet" => MetricKind::Frechet,
            "hausdorff" => MetricKind::Hausdorff,
            "sspd" => MetricKind::Sspd,
            "lcss" => MetricKind::Lcss,
            "edr" => MetricKind::Edr,
            "erp" => MetricKind::Erp,
            "edwp" => MetricKind::Edwp,
            "sowd" | "sowd_grid" => MetricKind::Sowd,
            _ => {
                return Err(Error::value(format!(
                    "metric: unknown metric {name:?}; known metrics: {}",
                    ALL_METRICS.join(", ")
                )))
            }
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            MetricKind::Dtw => "dtw",
            MetricKind::DiscreteFrechet => "discrete_frechet",
            MetricKind::Frechet => "frechet",
            MetricKind::Hausdorff => "hausdorff",
            MetricKind::Sspd => "sspd",
            MetricKind::Lcss => "lcss",
            MetricKind::Edr => "edr",
            MetricKind::Erp => "erp",
            MetricKind::Edwp => "edwp",
            MetricKind::Sowd => "sowd",
        }
    }

    /// The keyword parameters the metric accepts.
    pub fn params(self) -> &'static [&'static str] {
        match self {
            MetricKind::Dtw => &["space", "window", "compat"],
            MetricKind::DiscreteFrechet => &["space", "compat"],
            MetricKind::Frechet => &["space", "compat"],
            MetricKind::Hausdorff => &["space", "compat"],
            MetricKind::Sspd => &["space", "compat"],
            MetricKind::Lcss => &["eps", "space", "compat"],
            MetricKind::Edr => &["eps", "space", "normalize", "compat"],
            MetricKind::Erp => &["g", "space", "compat"],
            MetricKind::Edwp => &["space"],
            MetricKind::Sowd => &["precision", "space", "compat"],
        }
    }

    pub fn spaces(self) -> &'static [Space] {
        match self {
            MetricKind::Frechet | MetricKind::Edwp => &[Space::Euclidean],
            // SOWD rasterises [lon, lat] on a geohash grid; it has no `space` choice.
            MetricKind::Sowd => &[Space::Spherical],
            _ => &[Space::Euclidean, Space::Spherical],
        }
    }

    /// Metrics computed by a dynamic programme over the (n+1) x (m+1) matrix.
    pub fn is_dp(self) -> bool {
        matches!(
            self,
            MetricKind::Dtw
                | MetricKind::DiscreteFrechet
                | MetricKind::Lcss
                | MetricKind::Edr
                | MetricKind::Erp
        )
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

/// The largest DTW window: it is stored as a usize and reported back as an i64. Any window of at
/// least the longer trajectory's length is no band at all.
pub const MAX_WINDOW: i64 = if (usize::MAX as u64) < i64::MAX as u64 { usize::MAX as i64 } else { i64::MAX };

/// Raw parameters as the caller gave them; `MetricSpec::new` validates them.
#[derive(Clone, Debug, Default)]
pub struct Params {
    pub space: Option<String>,
    pub compat: Option<String>,
    pub eps: Option<f64>,
    pub window: Option<i64>,
    pub normalize: Option<bool>,
    pub g: Option<Vec<f64>>,
    pub precision: Option<i64>,
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
    pub fn new(kind: MetricKind, p: Params) -> Result<Self> {
        let name = kind.name();
        let space = match &p.space {
            None => kind.spaces()[0],
            Some(s) => Space::parse(s)?,
        };
        if !kind.spaces().contains(&space) {
            let have: Vec<_> = kind.spaces().iter().map(|s| format!("{:?}", s.name())).collect();
            return Err(Error::value(format!(
                "space: {name} does not support space {:?}; it supports {}",
                space.name(),
                have.join(" and ")
            )));
        }
        let variant = match p.compat.as_deref() {
            None | Some("standard") => Variant::Standard,
            Some("traj-dist") | Some("traj_dist") => Variant::TrajDist,
            Some(other) => {
                return Err(Error::value(format!(
                    "compat: unknown value {other:?}; use None or \"traj-dist\""
                )))
            }
        };
        if variant == Variant::TrajDist
            && kind == MetricKind::DiscreteFrechet
            && space == Space::Spherical
        {
            return Err(Error::value(
                "compat: traj-dist has no spherical discrete_frechet; use space=\"euclidean\" or compat=None",
            ));
        }
        if variant == Variant::TrajDist && kind == MetricKind::Edwp {
            return Err(Error::value("compat: traj-dist has no edwp; use compat=None"));
        }
        let needs_eps = matches!(kind, MetricKind::Lcss | MetricKind::Edr);
        let eps = match (needs_eps, p.eps) {
            (true, None) => {
                return Err(Error::value(format!(
                    "eps: {name} requires eps= (the matching threshold, in the units of the ground distance)"
                )))
            }
            (true, Some(e)) if !e.is_finite() || e < 0.0 => {
                return Err(Error::value(format!(
                    "eps: must be a finite number >= 0, got {e}"
                )))
            }
            (true, Some(e)) => e + 0.0, // -0.0 becomes 0.0, so equal specs hash alike
            (false, _) => 0.0,
        };
        let window = match p.window {
            None => None,
            Some(w) if w < 0 => {
                return Err(Error::value(format!("window: must be None or an integer >= 0, got {w}")))
            }
            Some(w) => Some(
                usize::try_from(w)
                    .map_err(|_| Error::value(format!("window: too large: {w} (at most {MAX_WINDOW})")))?,
            ),
        };
        if let Some(g) = &p.g {
            if g.len() != 2 && g.len() != 3 {
                return Err(Error::value(format!(
                    "g: the gap point must have 2 or 3 coordinates, got {}",
                    g.len()
                )));
            }
            if g.iter().any(|v| !v.is_finite()) {
                return Err(Error::value(format!("g: the gap point must have finite coordinates, got {g:?}")));
            }
        }
        let precision = match p.precision {
            None => 7,
            Some(k) if (1..=12).contains(&k) => k as u32,
            Some(k) => {
                return Err(Error::value(format!(
                    "precision: geohash precision must be an integer from 1 to 12, got {k}"
                )))
            }
        };
        Ok(MetricSpec {
            kind,
            space,
            variant,
            eps,
            window,
            normalize: p.normalize.unwrap_or(true),
            g: p.g,
            precision,
        })
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

    /// Constructor arguments that differ from the defaults, in a fixed order (for repr and pickle).
    pub fn non_default_params(&self) -> Vec<(&'static str, ParamRepr)> {
        let mut v = Vec::new();
        let k = self.kind;
        if matches!(k, MetricKind::Lcss | MetricKind::Edr) {
            v.push(("eps", ParamRepr::Float(self.eps)));
        }
        if self.space != k.spaces()[0] {
            v.push(("space", ParamRepr::Str(self.space.name().into())));
        }
        if let Some(w) = self.window {
            v.push(("window", ParamRepr::Int(w as i64)));
        }
        if k == MetricKind::Edr && !self.normalize {
            v.push(("normalize", ParamRepr::Bool(false)));
        }
        if let Some(g) = &self.g {
            v.push(("g", ParamRepr::Floats(g.clone())));
        }
        if k == MetricKind::Sowd && self.precision != 7 {
            v.push(("precision", ParamRepr::Int(self.precision as i64)));
        }
        if self.variant == Variant::TrajDist {
            v.push(("compat", ParamRepr::Str("traj-dist".into())));
        }
        v
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ParamRepr {
    Float(f64),
    Int(i64),
    Bool(bool),
    Str(String),
    Floats(Vec<f64>),
}
