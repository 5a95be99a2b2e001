//! traj-dist 1.15's approximation of the Fréchet distance, reproduced operation by operation for
//! `compat="traj-dist"` (METRICS.md): candidate values are the endpoint distance and the
//! vertex-to-segment distances above it, searched with k = len/2 - 1, and the reachability sweep
//! only asks whether free intervals are non-empty. It can overestimate the true distance; the
//! standard definition is in `frechet.rs`.

use crate::geometry::{Euclidean, Ground};
use crate::traj::Traj;

const NONE: [f64; 2] = [-1.0, -1.0];

#[inline(always)]
fn dist(x1: f64, y1: f64, x2: f64, y2: f64) -> f64 {
    let (dx, dy) = (x1 - x2, y1 - y2);
    (dx * dx + dy * dy).sqrt()
}

/// The two intersections of the circle (p, eps) with the line through s1 and s2 (equal when
/// tangent or when the line misses the circle, as traj-dist returns them).
fn circle_line(px: f64, py: f64, s1x: f64, s1y: f64, s2x: f64, s2y: f64, eps: f64) -> [[f64; 2]; 2] {
    if s2x == s1x {
        let rac = (eps * eps - (s1x - px) * (s1x - px)).sqrt();
        [[s1x, py + rac], [s1x, py - rac]]
    } else {
        let m = (s2y - s1y) / (s2x - s1x);
        let c = s2y - m * s2x;
        let a = m * m + 1.0;
        let b = 2.0 * (m * c - m * py - px);
        let cc = py * py - eps * eps + px * px - 2.0 * c * py + c * c;
        let delta = b * b - 4.0 * a * cc;
        if delta > 0.0 {
            let sd = delta.sqrt();
            let x1 = (-b + sd) / (2.0 * a);
            let x2 = (-b - sd) / (2.0 * a);
            [[x1, m * x1 + c], [x2, m * x2 + c]]
        } else {
            let x = -b / (2.0 * a);
            let y = m * x + c;
            [[x, y], [x, y]]
        }
    }
}

/// The free interval of point p on segment [s1, s2], as traj-dist's `_free_line`.
fn free_line(px: f64, py: f64, eps: f64, s1x: f64, s1y: f64, s2x: f64, s2y: f64) -> [f64; 2] {
    if s1x == s2x && s1y == s2y {
        return if dist(px, py, s1x, s1y) > eps { NONE } else { [0.0, 1.0] };
    }
    if Euclidean.point_to_segment(&[px, py], &[s1x, s1y], &[s2x, s2y]) > eps {
        return NONE;
    }
    let segl = dist(s1x, s1y, s2x, s2y);
    let segl2 = segl * segl;
    let [[i1x, i1y], [i2x, i2y]] = circle_line(px, py, s1x, s1y, s2x, s2y, eps);
    let param = |ix: f64, iy: f64| ((ix - s1x) * (s2x - s1x) + (iy - s1y) * (s2y - s1y)) / segl2;
    if i1x != i2x || i1y != i2y {
        let mut v = [0.0, 1.0, param(i1x, i1y), param(i2x, i2y)];
        // Python's sorted() on four numbers; insertion sort with `<` orders them the same way.
        for k in 1..4 {
            let mut q = k;
            while q > 0 && v[q] < v[q - 1] {
                v.swap(q, q - 1);
                q -= 1;
            }
        }
        [v[1], v[2]]
    } else if px == s1x && py == s1y {
        [0.0, 0.0]
    } else if px == s2x && py == s2y {
        [1.0, 1.0]
    } else {
        let u = param(i1x, i1y);
        if (0.0..=1.0).contains(&u) {
            [u, u]
        } else {
            NONE
        }
    }
}

#[inline(always)]
fn non_empty(f: [f64; 2]) -> bool {
    f[0] != -1.0 || f[1] != -1.0
}

/// traj-dist's reachability sweep. Its free intervals are pure functions of (point, segment,
/// eps), so they are computed only where the sweep looks at them (the corners, the first row and
/// column, and the cells next to a reachable one) instead of for the whole diagram first: the
/// answer is the same, and a rejected eps usually stops being reachable early.
fn decision(pt: Traj, qt: Traj, eps: f64) -> bool {
    let (p, q) = (pt.len(), qt.len());
    let (px, py) = (|i: usize| pt.p(i)[0], |i: usize| pt.p(i)[1]);
    let (qx, qy) = (|j: usize| qt.p(j)[0], |j: usize| qt.p(j)[1]);
    // lf(i, j), i < p-1, j < q: point Q_j on segment P_i P_{i+1}.
    let lf = |i: usize, j: usize| free_line(qx(j), qy(j), eps, px(i), py(i), px(i + 1), py(i + 1));
    // bf(i, j), i < p, j < q-1: point P_i on segment Q_j Q_{j+1}.
    let bf = |i: usize, j: usize| free_line(px(i), py(i), eps, qx(j), qy(j), qx(j + 1), qy(j + 1));
    if !(lf(0, 0)[0] <= 0.0 && bf(0, 0)[0] <= 0.0 && lf(p - 2, q - 1)[1] >= 1.0 && bf(p - 1, q - 2)[1] >= 1.0) {
        return false;
    }
    // lr[i][j] for i <= p-2, j <= q-1; br[i][j] for i <= p-1, j <= q-2 (row-major, flat).
    let mut lr = vec![false; (p - 1) * q];
    let mut br = vec![false; p * (q - 1)];
    let (l_at, b_at) = (|i: usize, j: usize| i * q + j, |i: usize, j: usize| i * (q - 1) + j);
    lr[0] = true;
    br[0] = true;
    let mut prev = lf(0, 0);
    for i in 1..p - 1 {
        let f = lf(i, 0);
        lr[l_at(i, 0)] = non_empty(f) && prev == [0.0, 1.0];
        prev = f;
    }
    let mut prev = bf(0, 0);
    for j in 1..q - 1 {
        let f = bf(0, j);
        br[b_at(0, j)] = non_empty(f) && prev == [0.0, 1.0];
        prev = f;
    }
    for i in 0..p - 1 {
        for j in 0..q - 1 {
            let reach = lr[l_at(i, j)] || br[b_at(i, j)];
            lr[l_at(i, j + 1)] = reach && non_empty(lf(i, j + 1));
            br[b_at(i + 1, j)] = reach && non_empty(bf(i + 1, j));
        }
    }
    br[b_at(p - 2, q - 2)] || lr[l_at(p - 2, q - 2)]
}

/// Requires both trajectories 2-D with at least 2 points (checked by the spec).
pub fn frechet(pt: Traj, qt: Traj) -> f64 {
    let g = Euclidean;
    let (p, q) = (pt.len(), qt.len());
    let origin = g.dist(pt.p(0), qt.p(0));
    let end = g.dist(pt.p(p - 1), qt.p(q - 1));
    let end_point = origin.max(end);
    let mut cc = vec![end_point];
    for i in 0..p - 1 {
        for j in 0..q - 1 {
            let l = g.point_to_segment(qt.p(j), pt.p(i), pt.p(i + 1));
            if l > end_point {
                cc.push(l);
            }
            let b = g.point_to_segment(pt.p(i), qt.p(j), qt.p(j + 1));
            if b > end_point {
                cc.push(b);
            }
        }
    }
    cc.sort_by(|x, y| x.partial_cmp(y).unwrap());
    cc.dedup();
    let mut cc = &cc[..];
    let mut eps = cc[0];
    while cc.len() != 1 {
        let k = cc.len() / 2 - 1;
        eps = cc[k];
        if decision(pt, qt, eps) {
            cc = &cc[..k + 1];
        } else {
            cc = &cc[k + 1..];
        }
    }
    eps
}
