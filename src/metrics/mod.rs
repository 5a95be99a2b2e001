//! Every metric, one file each, and the dispatch from a `MetricSpec` to its kernel.
//! Definitions of every metric and variant: docs/metrics.md.

pub mod bound;
pub mod discrete_frechet;
pub mod dp;
pub mod dp_details;
pub mod dp_kernel;
pub mod dtw;
pub mod edr;
pub mod edwp;
pub mod edwp_kernel;
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
use crate::geometry::{Euclidean, Haversine};
use crate::traj::Traj;
use dp::{DpDetails, DpSetup};
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
        k if k.is_dp() => dp::distance(&DpSetup::new(spec).expect("a DP metric"), a, b),
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
    let setup = |s: &MetricSpec| DpSetup::new(s).expect("a DP metric");
    match scale::needed(spec, a, b) {
        None => dp::details(&setup(spec), a, b),
        Some(e) => {
            // As `distance` does; the accumulated costs are in the metric's units too.
            let (s, ca, cb) = scale::scaled_pair(spec, a, b, e);
            let (sa, sb) = (Traj::new(&ca, a.dim), Traj::new(&cb, b.dim));
            let mut d = dp::details(&setup(&s), sa, sb)?;
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
