//! Turns a spec and one or two collections into a pair evaluator, after checking every
//! trajectory once. Per-call preparation lives here (SOWD's grid over the whole call).

use crate::error::{Error, Result};
use crate::geometry::polyline_euclidean::PolySet;
use crate::metrics::{self, hausdorff, sowd, spec::MetricKind, sspd};
use crate::MetricSpec;
use crate::traj::{Collection, Traj};

use super::lanes;

/// Fewest columns worth a pass of the lane kernel: even one busy lane of eight beats the
/// scalar kernel (~4.5 against ~9 ns per cell, measured on 20 x 1,000-point pdists).
const LANES_MIN: usize = 1;

/// The metrics the lane kernels cover: Euclidean DTW (with or without a window), discrete
/// Fréchet, LCSS, EDR and ERP (the spherical space still runs one pair at a time).
#[derive(Clone, Copy)]
enum LaneKind {
    Dtw,
    Frechet,
    Lcss(lanes::LcssLanes),
    Edr(lanes::EdrLanes),
    Erp(lanes::ErpLanes),
}

fn lane_kind(spec: &MetricSpec) -> Option<LaneKind> {
    if spec.space != crate::Space::Euclidean {
        return None;
    }
    let td = spec.variant == crate::Variant::TrajDist;
    match spec.kind {
        MetricKind::Dtw => Some(LaneKind::Dtw),
        MetricKind::DiscreteFrechet => Some(LaneKind::Frechet),
        MetricKind::Lcss => Some(LaneKind::Lcss(lanes::LcssLanes { t: lanes::below_threshold(spec.eps) })),
        MetricKind::Edr => {
            // traj-dist declares EDR's eps as a C float (as metrics::with_rule does).
            let eps = if td { spec.eps as f32 as f64 } else { spec.eps };
            Some(LaneKind::Edr(lanes::EdrLanes {
                t: lanes::below_threshold(eps),
                zero_border: td,
                normalize: spec.normalize,
            }))
        }
        MetricKind::Erp => {
            let mut gap = [0.0; 3];
            if let Some(g) = spec.g.as_deref() {
                gap[..g.len().min(3)].copy_from_slice(&g[..g.len().min(3)]);
            }
            Some(LaneKind::Erp(lanes::ErpLanes { gap, total_border: td }))
        }
        _ => None,
    }
}

pub struct Evaluator<'a> {
    spec: &'a MetricSpec,
    a: Collection<'a>,
    b: Collection<'a>,
    /// SOWD only: rasterised a and b (b is `None` when it is the same collection as a).
    cells: Option<(sowd::CellSet, Option<sowd::CellSet>)>,
    lanes: Option<LaneKind>,
    /// Euclidean Hausdorff/SSPD: a and b laid out once for the point-to-polyline kernel.
    polys: Option<(PolySet, Option<PolySet>)>,
}

impl<'a> Evaluator<'a> {
    /// `b = None`: pairs within `a` (pdist, paired). Names label errors ("X", "XA", "XB").
    pub fn new(
        spec: &'a MetricSpec,
        a: Collection<'a>,
        a_name: &str,
        b: Option<(Collection<'a>, &str)>,
    ) -> Result<Self> {
        let check = |c: &Collection, name: &str| -> Result<()> {
            for i in 0..c.len() {
                spec.check_traj(c.dim(), c.traj_len(i), &format!("{name}[{i}]"))?;
            }
            Ok(())
        };
        check(&a, a_name)?;
        if let Some((bc, b_name)) = &b {
            check(bc, b_name)?;
            if bc.dim() != a.dim() && !bc.is_empty() && !a.is_empty() {
                return Err(Error::value(format!(
                    "{b_name}: has {}-D points but {a_name} has {}-D points; all trajectories in one call \
                     must have the same dimension",
                    bc.dim(),
                    a.dim()
                )));
            }
        }
        let cells = if spec.kind == MetricKind::Sowd {
            let all = a.iter().chain(b.iter().flat_map(|(c, _)| c.iter()));
            if a.is_empty() && b.as_ref().is_none_or(|(c, _)| c.is_empty()) {
                None
            } else {
                let grid = sowd::Grid::over(all, spec.precision);
                let ca = sowd::CellSet::new(&grid, a.iter());
                let cb = b.as_ref().map(|(c, _)| sowd::CellSet::new(&grid, c.iter()));
                Some((ca, cb))
            }
        } else {
            None
        };
        let polys = (spec.space == crate::Space::Euclidean
            && matches!(spec.kind, MetricKind::Hausdorff | MetricKind::Sspd))
            .then(|| (PolySet::new(a.iter()), b.as_ref().map(|(c, _)| PolySet::new(c.iter()))));
        Ok(Evaluator { spec, a, b: b.map(|(c, _)| c).unwrap_or(a), cells, lanes: lane_kind(spec), polys })
    }

    /// Distance between a[i] and b[j].
    #[inline]
    pub fn eval(&self, i: usize, j: usize) -> f64 {
        if let Some((ca, cb)) = &self.cells {
            let cb = cb.as_ref().unwrap_or(ca);
            return sowd::sowd(ca.get(i), cb.get(j), self.spec.variant == crate::Variant::TrajDist);
        }
        if let Some((pa, pb)) = &self.polys {
            let (x, y) = (pa.get(i), pb.as_ref().unwrap_or(pa).get(j));
            let exact_vertices = self.spec.variant == crate::Variant::Standard;
            return match self.spec.kind {
                MetricKind::Hausdorff => hausdorff::hausdorff_packed(x, y, exact_vertices),
                _ => sspd::sspd_packed(x, y, exact_vertices),
            };
        }
        metrics::distance(self.spec, self.a.get(i), self.b.get(j))
    }

    /// Whether rows of pairs can go through the across-pairs lane kernels.
    pub fn lanes_apply(&self) -> bool {
        self.lanes.is_some()
    }

    /// d(a[i], b[j0 + t]) for t < out.len(), through the lane kernel.
    pub fn eval_row(&self, i: usize, j0: usize, out: &mut [f64], scratch: &mut lanes::Scratch) {
        let Some(rule) = self.lanes else {
            for (c, o) in out.iter_mut().enumerate() {
                *o = self.eval(i, j0 + c);
            }
            return;
        };
        let a = self.a.get(i);
        // Group the row's columns by length: a pass costs its longest column in every lane,
        // so similar lengths waste little. Results are scattered back to their positions.
        let mut order = std::mem::take(&mut scratch.order);
        order.clear();
        order.extend(0..out.len());
        order.sort_by_key(|&c| self.b.traj_len(j0 + c));
        let mut cols: Vec<Traj> = Vec::with_capacity(lanes::LANES);
        let mut res = [0.0; lanes::LANES];
        for group in order.chunks(lanes::LANES) {
            if group.len() < LANES_MIN {
                for &c in group {
                    out[c] = self.eval(i, j0 + c);
                }
                continue;
            }
            cols.clear();
            cols.extend(group.iter().map(|&c| self.b.get(j0 + c)));
            let o = &mut res[..group.len()];
            match rule {
                LaneKind::Dtw => lanes::rows(lanes::DtwLanes, a, &cols, self.spec.window, o, scratch),
                LaneKind::Frechet => lanes::rows(lanes::FrechetLanes, a, &cols, None, o, scratch),
                LaneKind::Lcss(r) => lanes::rows(r, a, &cols, None, o, scratch),
                LaneKind::Edr(r) => lanes::rows(r, a, &cols, None, o, scratch),
                LaneKind::Erp(r) => lanes::rows(r, a, &cols, None, o, scratch),
            }
            for (&c, v) in group.iter().zip(o.iter()) {
                out[c] = *v;
            }
        }
        scratch.order = order;
    }

    /// A cost estimate for scheduling: the size of the DP matrix.
    #[inline]
    pub fn cost(&self, i: usize, j: usize) -> u64 {
        (self.a.traj_len(i) * self.b.traj_len(j)) as u64
    }

    pub fn len_a(&self) -> usize {
        self.a.len()
    }
    pub fn len_b(&self) -> usize {
        self.b.len()
    }
    pub fn total_points_a(&self) -> u64 {
        (0..self.a.len()).map(|i| self.a.traj_len(i) as u64).sum()
    }
    pub fn total_points_b(&self) -> u64 {
        (0..self.b.len()).map(|i| self.b.traj_len(i) as u64).sum()
    }
}
