//! Every metric, one file each, and the dispatch from a `MetricSpec` to its kernel.
//! Definitions: ../shared/METRICS.md (copied in the README).

pub mod discrete_frechet;
pub mod dp;
pub mod dtw;
pub mod edr;
pub mod edwp;
pub mod erp;
pub mod frechet;
pub mod frechet_critical;
pub mod frechet_trajdist;
pub mod hausdorff;
pub mod lcss;
pub mod registry;
pub mod scale;
pub mod sowd;
pub mod spec;
pub mod sspd;

use crate::error::{Error, Result};
use crate::geometry::{Euclidean, Ground, Haversine, HaversinePrepared};
use crate::traj::Traj;
use dp::{DpDetails, DpRule};
use spec::{MetricKind, MetricSpec, Space, Variant};

/// Runs `f` with the ground distance the spec asks for, monomorphised per space.
macro_rules! with_ground {
    ($spec:expr, |$g:ident| $body:expr) => {
        match ($spec.space, $spec.variant) {
            (Space::Euclidean, _) => {
                let $g = &Euclidean;
                $body
            }
            (Space::Spherical, Variant::Standard) => {
                let $g = &Haversine::standard();
                $body
            }
            (Space::Spherical, Variant::TrajDist) => {
                let $g = &Haversine::trajdist();
                $body
            }
        }
    };
}

/// ERP's default gap point, sliced to the data's dimension.
const ORIGIN: [f64; 3] = [0.0; 3];

/// Calls `k` with the DP rule of a DP metric. In the spherical space the points are first
/// prepared with their latitude's cosine (`HaversinePrepared`: the same values, computed once
/// per point rather than twice per cell).
fn with_rule<T>(
    spec: &MetricSpec,
    a: Traj,
    b: Traj,
    k: &mut dyn FnMut(&dyn DpRuleObj) -> T,
) -> T {
    let gap = spec.g.as_deref().unwrap_or(&ORIGIN[..a.dim]);
    match (spec.space, spec.variant) {
        (Space::Euclidean, _) => rule_for(spec, &Euclidean, a, b, gap, k),
        (Space::Spherical, variant) => {
            let h = if variant == Variant::TrajDist { Haversine::trajdist() } else { Haversine::standard() };
            let g = HaversinePrepared(h);
            let (mut pa, mut pb, mut pg) = (Vec::new(), Vec::new(), Vec::new());
            g.prepare(a, &mut pa);
            g.prepare(b, &mut pb);
            g.prepare(Traj::new(gap, 2), &mut pg);
            rule_for(spec, &g, Traj::new(&pa, 3), Traj::new(&pb, 3), &pg, k)
        }
    }
}

fn rule_for<T, G: Ground>(
    spec: &MetricSpec,
    g: &G,
    a: Traj,
    b: Traj,
    gap: &[f64],
    k: &mut dyn FnMut(&dyn DpRuleObj) -> T,
) -> T {
    let td = spec.variant == Variant::TrajDist;
    match spec.kind {
        MetricKind::Dtw => k(&dtw::Dtw { g, a, b }),
        MetricKind::DiscreteFrechet => k(&discrete_frechet::DiscreteFrechet { g, a, b }),
        MetricKind::Lcss => k(&lcss::Lcss { g, a, b, eps: spec.eps }),
        MetricKind::Edr => k(&edr::Edr {
            g,
            a,
            b,
            // traj-dist declares EDR's eps as a C float.
            eps: if td { spec.eps as f32 as f64 } else { spec.eps },
            zero_border: td,
            normalize: spec.normalize,
        }),
        MetricKind::Erp => k(&erp::Erp::new(g, a, b, gap, td)),
        _ => unreachable!("not a DP metric"),
    }
}

/// Object-safe face of a DP rule, so `with_rule` can hand any of them to one closure.
pub trait DpRuleObj {
    fn run(&self, n: usize, m: usize, window: Option<usize>) -> f64;
    fn details(&self, n: usize, m: usize, window: Option<usize>) -> Result<DpDetails>;
}

impl<R: DpRule> DpRuleObj for R {
    fn run(&self, n: usize, m: usize, window: Option<usize>) -> f64 {
        dp::run(self, n, m, window)
    }
    fn details(&self, n: usize, m: usize, window: Option<usize>) -> Result<DpDetails> {
        dp::details(self, n, m, window)
    }
}

/// The distance of one pair under `spec`. Inputs must already satisfy `check_pair`.
/// Pairs at the ends of the double range are computed scaled by a power of two (`scale`).
pub fn distance(spec: &MetricSpec, a: Traj, b: Traj) -> f64 {
    match scale::needed(spec, a, b) {
        None => distance_as_is(spec, a, b),
        Some(e) => {
            let (s, ca, cb) = scale::scaled_pair(spec, a, b, e);
            let d = distance_as_is(&s, Traj::new(&ca, a.dim), Traj::new(&cb, b.dim));
            scale::unscale(spec.kind, d, e)
        }
    }
}

fn distance_as_is(spec: &MetricSpec, a: Traj, b: Traj) -> f64 {
    let td = spec.variant == Variant::TrajDist;
    match spec.kind {
        k if k.is_dp() => {
            let w = if k == MetricKind::Dtw { spec.window } else { None };
            with_rule(spec, a, b, &mut |r| r.run(a.len(), b.len(), w))
        }
        MetricKind::Hausdorff => with_ground!(spec, |g| hausdorff::hausdorff(g, a, b, !td)),
        MetricKind::Sspd => {
            let sum_only = td && spec.space == Space::Spherical;
            with_ground!(spec, |g| sspd::sspd(g, a, b, sum_only, !td))
        }
        MetricKind::Frechet if td => frechet_trajdist::frechet(a, b),
        MetricKind::Frechet => frechet::frechet(a, b),
        MetricKind::Edwp => edwp::edwp(a, b),
        MetricKind::Sowd => {
            match sowd::Grid::over([a, b].into_iter(), spec.precision) {
                Ok(grid) => sowd::sowd(&grid.rasterise(a), &grid.rasterise(b), td),
                Err(_) => unreachable!("check_pair refuses grids that are too fine"),
            }
        }
        _ => unreachable!(),
    }
}

/// Distance, accumulated-cost matrix and alignment path of a DP metric.
pub fn dp_details(spec: &MetricSpec, a: Traj, b: Traj) -> Result<DpDetails> {
    if !spec.kind.is_dp() {
        return Err(Error::value(format!(
            "return_path: {} is not a dynamic-programming metric; return_path works for dtw, \
             discrete_frechet, lcss, edr and erp",
            spec.kind.name()
        )));
    }
    let w = if spec.kind == MetricKind::Dtw { spec.window } else { None };
    match scale::needed(spec, a, b) {
        None => with_rule(spec, a, b, &mut |r| r.details(a.len(), b.len(), w)),
        Some(e) => {
            // As `distance` does; the accumulated costs are in the metric's units too.
            let (s, ca, cb) = scale::scaled_pair(spec, a, b, e);
            let (sa, sb) = (Traj::new(&ca, a.dim), Traj::new(&cb, b.dim));
            let mut d = with_rule(&s, sa, sb, &mut |r| r.details(a.len(), b.len(), w))?;
            d.distance = scale::unscale(spec.kind, d.distance, e);
            d.matrix.data.iter_mut().for_each(|v| *v = scale::unscale(spec.kind, *v, e));
            Ok(d)
        }
    }
}

/// Bytes of working memory a pair of n x m points may need beyond its two rows, for the metrics
/// that hold whole n x m tables: exact Fréchet (vertex-segment distances both ways, their
/// candidates and at most 8 n m passage values, 96 bytes a cell at worst) and traj-dist's
/// Fréchet (three distance tables and the candidates, 48).
fn working_bytes(spec: &MetricSpec, n: usize, m: usize) -> f64 {
    let per_cell = match (spec.kind, spec.variant) {
        (MetricKind::Frechet, Variant::TrajDist) => 48.0,
        (MetricKind::Frechet, _) => 96.0,
        _ => 0.0,
    };
    per_cell * n as f64 * m as f64
}

/// Refuses a pair whose working memory exceeds what the machine has: Linux would grant the
/// allocation and the out-of-memory killer end the process once it is touched.
pub fn check_memory(spec: &MetricSpec, n: usize, m: usize, label: &dyn std::fmt::Display) -> Result<()> {
    let need = working_bytes(spec, n, m);
    match crate::memory::memory_limit() {
        Some(limit) if need > limit as f64 => Err(Error::memory(format!(
            "{label}: {} of {n} x {m} points may need {} of working memory; the memory here is {}. \
             Shorten or simplify the trajectories",
            spec.kind.name(),
            crate::memory::human_bytes(need),
            crate::memory::human_bytes(limit as f64)
        ))),
        _ => Ok(()),
    }
}

/// Validates a single pair against the spec (values, dimensions, lengths).
pub fn check_pair(spec: &MetricSpec, a: Traj, b: Traj) -> Result<()> {
    crate::traj::check_traj(a.coords, a.dim, "a")?;
    crate::traj::check_traj(b.coords, b.dim, "b")?;
    if a.dim != b.dim {
        return Err(Error::value(format!(
            "b: a has {}-D points but b has {}-D points; both must have the same dimension",
            a.dim, b.dim
        )));
    }
    spec.check_traj(a.dim, a.len(), &"a")?;
    spec.check_traj(b.dim, b.len(), &"b")?;
    check_memory(spec, a.len(), b.len(), &"a, b")?;
    if spec.kind == MetricKind::Sowd {
        sowd::Grid::over([a, b].into_iter(), spec.precision)?;
    }
    Ok(())
}
