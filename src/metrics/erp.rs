//! Edit distance with real penalty (Chen & Ng 2004): gaps cost the distance to a gap point g.
//! C(i, j) = min(C(i-1, j) + d(a_i, g), C(i, j-1) + d(b_j, g), C(i-1, j-1) + d(a_i, b_j));
//! borders the running sums of gap costs (traj-dist: every border cell holds the whole sum).

use super::bound;
use super::dp::{Back, Borders, Cell, DpRule, Lanes, Step};
use crate::geometry::lane_space::LaneSpace;

/// `gap` is stored like the points (prepared [lon, lat, cos] in spherical space).
#[derive(Clone, Copy)]
pub struct Erp {
    pub gap: [f64; 3],
    pub total_border: bool,
}

impl Erp {
    /// Gap costs of the packed points, all lanes at once, in `gap`; their running sums (or, in
    /// traj-dist's variant, each lane's total over its own points) in `edge`, from 0.
    fn gap_costs<S: LaneSpace, const D: usize, const W: usize>(
        &self,
        sp: &S,
        pts: &[Lanes<W>],
        lens: &[usize; W],
        gap: &mut Vec<Lanes<W>>,
        edge: &mut Vec<Lanes<W>>,
    ) {
        let g: [Lanes<W>; D] = std::array::from_fn(|k| [self.gap[k]; W]);
        let len = pts.len() / D;
        gap.clear();
        edge.clear();
        edge.push([0.0; W]);
        let mut acc = [0.0; W];
        for p in pts.chunks_exact(D) {
            let p: &[Lanes<W>; D] = p.try_into().expect("D values per point");
            let c = sp.dist(sp.value::<D, W>(p, &g));
            for l in 0..W {
                acc[l] += c[l];
            }
            gap.push(c);
            edge.push(acc);
        }
        if self.total_border {
            for l in 0..W {
                let total = edge[lens[l].min(len)][l];
                for e in edge[1..].iter_mut() {
                    e[l] = total;
                }
            }
        }
    }
}

impl DpRule for Erp {
    #[inline(always)]
    fn cell<S: LaneSpace, const W: usize>(&self, sp: &S, cell: Cell<W>) -> Lanes<W> {
        let Cell { s, diag, up, left, ga, gb } = cell;
        let d = sp.dist(s);
        let mut c = [0.0; W];
        for l in 0..W {
            let sub = diag[l] + d[l];
            let x = left[l] + gb[l];
            let y = if sub < x { sub } else { x };
            let z = up[l] + ga[l];
            c[l] = if y < z { y } else { z };
        }
        c
    }
    fn borders<S: LaneSpace, const W: usize>(
        &self,
        sp: &S,
        d: usize,
        rows: (&[Lanes<W>], &[usize; W]),
        cols: (&[Lanes<W>], &[usize; W]),
        b: &mut Borders<W>,
    ) -> bool {
        if d == 2 {
            self.gap_costs::<S, 2, W>(sp, rows.0, rows.1, &mut b.ga, &mut b.left);
            self.gap_costs::<S, 2, W>(sp, cols.0, cols.1, &mut b.gb, &mut b.top);
        } else {
            self.gap_costs::<S, 3, W>(sp, rows.0, rows.1, &mut b.ga, &mut b.left);
            self.gap_costs::<S, 3, W>(sp, cols.0, cols.1, &mut b.gb, &mut b.top);
        }
        true
    }
    fn back<S: LaneSpace>(&self, sp: &S, at: &Back) -> (Step, bool) {
        if at.c == at.diag + sp.dist1(at.s) {
            (Step::Diag, true)
        } else if at.c == at.up + at.ga {
            (Step::Up, false)
        } else {
            (Step::Left, false)
        }
    }
}

impl Erp {
    /// A lower bound on the computed ERP (`metrics::bound`). By the triangle inequality
    /// through g (the Euclidean distance, or the great-circle distance the haversine is), a match costs d(a, b) >= |d(a, g) - d(b, g)| and a
    /// gap costs d(x, g), so any alignment costs at least |Σ d(a, g) - Σ d(b, g)| (Chen and Ng
    /// 2004); traj-dist's borders hold whole sums instead of running ones, only larger, so
    /// its ERP is at least the standard one. In floating point: the gap sums and the computed
    /// ERP are sums of at most n + m rounded distances, each within 3u of its exact value
    /// (a square root of up to three squares), so each is within γ_{n+m+3} of its exact
    /// counterpart. The bound is lowered by 8·(n + m + 8)·u of the two sums (the error of the
    /// difference of two nearly equal sums is relative to the sums, not to it), then
    /// relatively as `sum_margin`. Spherical space adds 2^-20 to that slack: a haversine is
    /// within a few u of its exact value except near antipodes, where asin's conditioning
    /// costs up to about sqrt(u) = 1.5e-8 relative.
    pub fn lower_bound(p: &bound::Pair) -> f64 {
        let (n, m) = (p.n(), p.m());
        let (sa, sb) = p.gap_sums();
        let sphere = if p.euclidean() { 0.0 } else { 1.0 / (1u64 << 20) as f64 };
        let slack = 8.0 * (n + m + 8) as f64 * (f64::EPSILON / 2.0) + sphere;
        if slack >= 0.1 {
            return 0.0;
        }
        let b = (sa - sb).abs() - slack * (sa + sb);
        bound::sum_margin(b.max(0.0), n + m + 8)
    }
}
