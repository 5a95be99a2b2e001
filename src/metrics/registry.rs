//! The registry of metrics, in the manner of scipy.spatial.distance's `MetricInfo` list: each
//! metric's name and aliases, its parameters (type, check, how it is stored in a `MetricSpec`),
//! the spaces and variants it supports, whether it is symmetric and whether it obeys the triangle
//! inequality, and the kernel family that computes it.
//!
//! Parsing, validation, the defaults, `Metric`'s repr and pickling, the messages that list the
//! accepted keywords, `trajarena.metric_info()`, the Python signatures' test and the traj-dist
//! table all read this table. A new parameter is one `ParamInfo` here (listed in the metrics that
//! take it) plus the `MetricSpec` field, with its default in `MetricSpec::blank`, that its kernel
//! reads.

mod param;

pub use param::{Check, ParamInfo, ParamType, Value};

use super::spec::{MetricKind, MetricSpec, Space, Variant, MAX_WINDOW};
use crate::error::{Error, Result};

/// How a metric is computed; the batch evaluator and `return_path` dispatch on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    /// A dynamic programme over the (n+1) x (m+1) matrix (`dp.rs` for one pair, the lane
    /// kernels in batches); `return_path` gives its matrix and alignment.
    Dp,
    /// Distances from each vertex to the other polyline (Hausdorff, SSPD).
    Polyline,
    /// Alt and Godau's free-space diagram (continuous Fréchet).
    FreeSpace,
    /// EDwP's dynamic programme over projection states.
    Projection,
    /// Both trajectories rasterised on a grid (SOWD).
    Grid,
}

impl Family {
    pub fn name(self) -> &'static str {
        match self {
            Family::Dp => "dp",
            Family::Polyline => "polyline",
            Family::FreeSpace => "free_space",
            Family::Projection => "projection",
            Family::Grid => "grid",
        }
    }
}

/// A definition of a metric: the papers' or a library's (`compat=`).
#[derive(Clone, Copy, Debug)]
pub struct VariantInfo {
    pub variant: Variant,
    /// The metric's name in that library ("discret_frechet" and "sowd_grid" in traj-dist).
    pub name: &'static str,
    /// The spaces it is defined in; the first is the default.
    pub spaces: &'static [Space],
    /// d(a, b) == d(b, a), bit for bit (tests/test_symmetry.py checks it): a symmetric matrix
    /// needs each pair once.
    pub symmetric: bool,
    /// d(a, c) <= d(a, b) + d(b, c) holds in exact arithmetic (the computed values can miss
    /// it by rounding, a few ulps): what pruned neighbour searches may rely on.
    pub triangle: bool,
}

#[derive(Clone, Copy)]
pub struct MetricInfo {
    pub kind: MetricKind,
    /// The canonical name.
    pub name: &'static str,
    /// Other names accepted by `MetricKind::parse`.
    pub aliases: &'static [&'static str],
    /// The keyword parameters, in the order of the single-pair functions' signatures.
    pub params: &'static [ParamInfo],
    /// The standard variant first.
    pub variants: &'static [VariantInfo],
    pub family: Family,
    /// One line for `metric_info()`.
    pub summary: &'static str,
}

impl MetricInfo {
    /// The spaces it supports; the first is the default.
    pub fn spaces(&self) -> &'static [Space] {
        self.variants[0].spaces
    }

    pub fn variant(&self, v: Variant) -> Option<&'static VariantInfo> {
        self.variants.iter().find(|x| x.variant == v)
    }

    /// The parameter `key`, or the TypeError that lists the accepted ones.
    pub fn param(&self, key: &str) -> Result<&'static ParamInfo> {
        self.params.iter().find(|p| p.name == key).ok_or_else(|| {
            let accepts = if self.params.is_empty() {
                "no parameters".to_string()
            } else {
                format!("only {}", self.params.iter().map(|p| p.name).collect::<Vec<_>>().join(", "))
            };
            Error::type_(format!("{key}: unknown parameter for metric {:?}; it accepts {accepts}", self.name))
        })
    }

    /// Checks `given` and builds the spec; every key must be one of `params`.
    pub(super) fn build(&self, given: &[(String, Value)]) -> Result<MetricSpec> {
        for (key, _) in given {
            self.param(key)?;
        }
        let value = |name: &str| given.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v);
        let mut spec = MetricSpec::blank(self.kind);
        let deciding = self.params.iter().filter(|p| p.decides());
        for p in deciding.chain(self.params.iter().filter(|p| !p.decides())) {
            p.apply(&mut spec, value(p.name))?;
        }
        Ok(spec)
    }

    /// The parameters whose value in `spec` differs from the default, in signature order
    /// (repr and pickling). Required parameters are always listed.
    pub fn non_default(&self, spec: &MetricSpec) -> Vec<(&'static str, Value)> {
        let blank = MetricSpec::blank(self.kind);
        self.params
            .iter()
            .filter_map(|p| {
                let v = (p.get)(spec);
                (p.required || v != (p.get)(&blank)).then_some((p.name, v))
            })
            .collect()
    }
}

// --- parameters --------------------------------------------------------------------------

const SPACE: ParamInfo = ParamInfo {
    name: "space",
    ty: ParamType::Str,
    required: false,
    check: Check::Space,
    help: "the ground distance: \"euclidean\", or \"spherical\" (haversine on [longitude, latitude] \
           in degrees, in metres)",
    get: |s| Value::Str(s.space.name().into()),
    set: |s, v| {
        if let Value::Str(x) = v {
            s.space = Space::parse(x).expect("checked");
        }
    },
};

const COMPAT: ParamInfo = ParamInfo {
    name: "compat",
    ty: ParamType::Str,
    required: false,
    check: Check::Variant,
    help: "None for the papers' definition, \"traj-dist\" for traj-dist 1.15's numbers",
    get: |s| match s.variant {
        Variant::Standard => Value::None,
        v => Value::Str(v.name().into()),
    },
    set: |s, v| {
        if let Value::Str(x) = v {
            s.variant = Variant::parse(x).expect("checked");
        }
    },
};

const EPS: ParamInfo = ParamInfo {
    name: "eps",
    ty: ParamType::Float,
    required: true,
    check: Check::FiniteNonNegative,
    help: "the matching threshold, in the units of the ground distance",
    get: |s| Value::Float(s.eps),
    set: |s, v| {
        if let Value::Float(e) = v {
            s.eps = e + 0.0; // -0.0 becomes 0.0, so equal specs hash alike
        }
    },
};

const WINDOW: ParamInfo = ParamInfo {
    name: "window",
    ty: ParamType::Int,
    required: false,
    check: Check::IntRange {
        min: 0,
        max: MAX_WINDOW,
        below: "must be None or an integer >= 0, got {got}",
        above: "too large: {got} (at most {max})",
    },
    help: "Sakoe-Chiba band half-width in steps, widened to at least |n - m|; None: no band",
    get: |s| s.window.map_or(Value::None, |w| Value::Int(w as i64)),
    set: |s, v| {
        if let Value::Int(w) = v {
            s.window = Some(*w as usize); // 0 <= w <= MAX_WINDOW, so it fits
        }
    },
};

const NORMALIZE: ParamInfo = ParamInfo {
    name: "normalize",
    ty: ParamType::Bool,
    required: false,
    check: Check::Any,
    help: "divide the edit count by max(n, m)",
    get: |s| Value::Bool(s.normalize),
    set: |s, v| {
        if let Value::Bool(b) = v {
            s.normalize = *b;
        }
    },
};

const GAP: ParamInfo = ParamInfo {
    name: "g",
    ty: ParamType::Point,
    required: false,
    check: Check::GapPoint,
    help: "the gap point; None: the origin",
    get: |s| s.g.clone().map_or(Value::None, Value::Point),
    set: |s, v| {
        if let Value::Point(g) = v {
            s.g = Some(g.clone());
        }
    },
};

const PRECISION: ParamInfo = ParamInfo {
    name: "precision",
    ty: ParamType::Int,
    required: false,
    check: Check::IntRange {
        min: 1,
        max: 12,
        below: "geohash precision must be an integer from {min} to {max}, got {got}",
        above: "geohash precision must be an integer from {min} to {max}, got {got}",
    },
    help: "geohash precision of the grid's cells",
    get: |s| Value::Int(s.precision as i64),
    set: |s, v| {
        if let Value::Int(k) = v {
            s.precision = *k as u32; // 1 <= k <= 12
        }
    },
};

// --- variants ----------------------------------------------------------------------------

const BOTH: &[Space] = &[Space::Euclidean, Space::Spherical];
const EUCLIDEAN: &[Space] = &[Space::Euclidean];
const SPHERICAL: &[Space] = &[Space::Spherical];

const fn standard(name: &'static str, spaces: &'static [Space], triangle: bool) -> VariantInfo {
    VariantInfo { variant: Variant::Standard, name, spaces, symmetric: true, triangle }
}

const fn traj_dist(name: &'static str, spaces: &'static [Space], triangle: bool) -> VariantInfo {
    VariantInfo { variant: Variant::TrajDist, name, spaces, symmetric: true, triangle }
}

// --- metrics -----------------------------------------------------------------------------

/// Every metric, in `MetricKind` order (`MetricKind::info` indexes it).
///
/// The triangle inequality: discrete Fréchet is a metric over any metric ground distance (Eiter
/// and Mannila), the traj-dist variant being the same computation; exact Fréchet is a metric
/// on curves (Alt and Godau); standard ERP is a metric (Chen and Ng 2004: its gap costs are
/// ground distances to a fixed point). Every other entry has a counter-example in
/// tests/test_registry.py (vertex-to-polyline Hausdorff among them).
pub const METRICS: &[MetricInfo] = &[
    MetricInfo {
        kind: MetricKind::Dtw,
        name: "dtw",
        aliases: &[],
        params: &[SPACE, WINDOW, COMPAT],
        variants: &[standard("dtw", BOTH, false), traj_dist("dtw", BOTH, false)],
        family: Family::Dp,
        summary: "dynamic time warping: the sum of ground distances along the best alignment",
    },
    MetricInfo {
        kind: MetricKind::DiscreteFrechet,
        name: "discrete_frechet",
        aliases: &["discret_frechet"],
        params: &[SPACE, COMPAT],
        variants: &[
            standard("discrete_frechet", BOTH, true),
            traj_dist("discret_frechet", EUCLIDEAN, true),
        ],
        family: Family::Dp,
        summary: "discrete Fréchet distance: the bottleneck alignment of the vertices",
    },
    MetricInfo {
        kind: MetricKind::Frechet,
        name: "frechet",
        aliases: &[],
        params: &[SPACE, COMPAT],
        variants: &[standard("frechet", EUCLIDEAN, true), traj_dist("frechet", EUCLIDEAN, false)],
        family: Family::FreeSpace,
        summary: "exact continuous Fréchet distance (Alt and Godau); traj-dist's approximation in \
                  its variant",
    },
    MetricInfo {
        kind: MetricKind::Hausdorff,
        name: "hausdorff",
        aliases: &[],
        params: &[SPACE, COMPAT],
        variants: &[standard("hausdorff", BOTH, false), traj_dist("hausdorff", BOTH, false)],
        family: Family::Polyline,
        summary: "Hausdorff distance between each polyline's vertices and the other polyline",
    },
    MetricInfo {
        kind: MetricKind::Sspd,
        name: "sspd",
        aliases: &[],
        params: &[SPACE, COMPAT],
        variants: &[standard("sspd", BOTH, false), traj_dist("sspd", BOTH, false)],
        family: Family::Polyline,
        summary: "symmetrized segment-path distance",
    },
    MetricInfo {
        kind: MetricKind::Lcss,
        name: "lcss",
        aliases: &[],
        params: &[EPS, SPACE, COMPAT],
        variants: &[standard("lcss", BOTH, false), traj_dist("lcss", BOTH, false)],
        family: Family::Dp,
        summary: "1 - |longest common subsequence within eps| / min(n, m), in [0, 1]",
    },
    MetricInfo {
        kind: MetricKind::Edr,
        name: "edr",
        aliases: &[],
        params: &[EPS, SPACE, NORMALIZE, COMPAT],
        variants: &[standard("edr", BOTH, false), traj_dist("edr", BOTH, false)],
        family: Family::Dp,
        summary: "edit distance on real sequences, divided by max(n, m) unless normalize=False",
    },
    MetricInfo {
        kind: MetricKind::Erp,
        name: "erp",
        aliases: &[],
        params: &[GAP, SPACE, COMPAT],
        variants: &[standard("erp", BOTH, true), traj_dist("erp", BOTH, false)],
        family: Family::Dp,
        summary: "edit distance with real penalty: gaps cost the distance to the gap point g",
    },
    MetricInfo {
        kind: MetricKind::Edwp,
        name: "edwp",
        aliases: &[],
        params: &[SPACE],
        variants: &[standard("edwp", EUCLIDEAN, false)],
        family: Family::Projection,
        summary: "edit distance with projections (Ranu et al. 2015), not normalised",
    },
    MetricInfo {
        kind: MetricKind::Sowd,
        name: "sowd",
        aliases: &["sowd_grid"],
        params: &[PRECISION, SPACE, COMPAT],
        variants: &[standard("sowd", SPHERICAL, false), traj_dist("sowd_grid", SPHERICAL, false)],
        family: Family::Grid,
        summary: "symmetrized one-way distance on a geohash grid over the trajectories' bounding \
                  box ([longitude, latitude] points), in cell units",
    },
];

/// The canonical names, in registry order.
pub const ALL_METRICS: [&str; METRICS.len()] = {
    let mut names = [""; METRICS.len()];
    let mut i = 0;
    while i < METRICS.len() {
        names[i] = METRICS[i].name;
        i += 1;
    }
    names
};

/// The metric called `name` or one of its aliases (any case).
pub fn lookup(name: &str) -> Result<&'static MetricInfo> {
    let lower = name.to_ascii_lowercase();
    METRICS.iter().find(|m| m.name == lower || m.aliases.contains(&lower.as_str())).ok_or_else(|| {
        Error::value(format!("metric: unknown metric {name:?}; known metrics: {}", ALL_METRICS.join(", ")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::spec::Params;

    #[test]
    fn table_is_in_kind_order_and_names_are_unique() {
        for (i, m) in METRICS.iter().enumerate() {
            assert_eq!(m.kind as usize, i, "{}", m.name);
            assert_eq!(m.kind.info().name, m.name);
            assert_eq!(lookup(m.name).unwrap().kind, m.kind);
            for a in m.aliases {
                assert_eq!(lookup(a).unwrap().kind, m.kind);
            }
        }
        let mut all: Vec<&str> = METRICS.iter().flat_map(|m| m.aliases.iter().copied().chain([m.name])).collect();
        let n = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), n);
    }

    #[test]
    fn variants_are_consistent() {
        for m in METRICS {
            assert_eq!(m.variants[0].variant, Variant::Standard, "{}", m.name);
            for v in m.variants {
                assert!(!v.spaces.is_empty());
                assert!(v.spaces.iter().all(|s| m.spaces().contains(s)), "{}", m.name);
            }
            // A metric with variants takes compat=; one with a choice of spaces takes space=.
            assert_eq!(m.variants.len() > 1, m.param("compat").is_ok(), "{}", m.name);
            assert!(m.param("space").is_ok(), "{}", m.name);
        }
    }

    #[test]
    fn triangle_flags_are_the_proved_ones() {
        let holds: Vec<(&str, Variant)> = METRICS
            .iter()
            .flat_map(|m| m.variants.iter().filter(|v| v.triangle).map(move |v| (m.name, v.variant)))
            .collect();
        assert_eq!(
            holds,
            [
                ("discrete_frechet", Variant::Standard),
                ("discrete_frechet", Variant::TrajDist),
                ("frechet", Variant::Standard),
                ("erp", Variant::Standard),
            ]
        );
    }

    #[test]
    fn defaults_are_those_of_a_spec_built_without_parameters() {
        for m in METRICS {
            let given: Vec<(String, Value)> = m
                .params
                .iter()
                .filter(|p| p.required)
                .map(|p| (p.name.to_string(), Value::Float(1.0)))
                .collect();
            let spec = m.build(&given).unwrap();
            for p in m.params.iter().filter(|p| !p.required) {
                assert_eq!((p.get)(&spec), p.default(m.kind), "{} {}", m.name, p.name);
            }
            assert_eq!(m.non_default(&spec).len(), given.len());
        }
    }

    #[test]
    fn messages() {
        let err = |name: &str, p: Params| match MetricSpec::parse(name, p) {
            Err(Error::Value(m)) | Err(Error::Type(m)) => m,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            err("dtw", Params::new().with("eps", 1.0)),
            "eps: unknown parameter for metric \"dtw\"; it accepts only space, window, compat"
        );
        assert_eq!(
            err("lcss", Params::new()),
            "eps: lcss requires eps= (the matching threshold, in the units of the ground distance)"
        );
        assert_eq!(err("edr", Params::new().with("eps", -1.0)), "eps: must be a finite number >= 0, got -1");
        assert_eq!(err("dtw", Params::new().with("window", -2i64)), "window: must be None or an integer >= 0, got -2");
        assert_eq!(
            err("sowd", Params::new().with("precision", 13i64)),
            "precision: geohash precision must be an integer from 1 to 12, got 13"
        );
        assert_eq!(
            err("frechet", Params::new().with("space", "spherical")),
            "space: frechet does not support space \"spherical\"; it supports \"euclidean\""
        );
        assert_eq!(
            err("discrete_frechet", Params::new().with("space", "spherical").with("compat", "traj-dist")),
            "compat: traj-dist has no spherical discrete_frechet; use space=\"euclidean\" or compat=None"
        );
        assert_eq!(err("edwp", Params::new().with("compat", "traj-dist")).split(';').next(), Some("compat: unknown parameter for metric \"edwp\""));
        assert_eq!(err("erp", Params::new().with("g", vec![0.0; 4])), "g: the gap point must have 2 or 3 coordinates, got 4");
        assert_eq!(err("erp", Params::new().with("g", 1.0)), "g: expected a sequence of 2 or 3 numbers, got Float(1.0)");
    }

    #[test]
    fn non_default_parameters_in_signature_order() {
        let spec = MetricSpec::parse(
            "edr",
            Params::new().with("compat", "traj-dist").with("normalize", false).with("space", "spherical").with("eps", 2.0),
        )
        .unwrap();
        let names: Vec<&str> = spec.non_default_params().iter().map(|(k, _)| *k).collect();
        assert_eq!(names, ["eps", "space", "normalize", "compat"]);
    }
}
