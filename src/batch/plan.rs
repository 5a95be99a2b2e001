//! Splitting a batch into contiguous ranges of about equal cost, for process workers that each
//! take one range. A pair's cost is n_i * n_j (the DP cells, or the point-to-segment tests of
//! Hausdorff/SSPD) plus a fixed per-pair overhead, so skewed lengths still give balanced tasks.

use super::condensed;

/// Per-pair overhead in cell units (call, setup, output write).
pub const PAIR_OVERHEAD: u64 = 16;

/// Cuts [0, total cost) at `n_tasks` equal targets; `locate(t)` maps a cost target to the output
/// position where it falls. Empty ranges are dropped.
fn cut(total: u128, n_tasks: usize, end: u64, mut locate: impl FnMut(u128) -> u64) -> Vec<(u64, u64)> {
    // never more tasks than positions: each non-empty range holds at least one
    let n_tasks = n_tasks.clamp(1, end.min(usize::MAX as u64) as usize);
    let mut bounds = vec![0u64];
    for k in 1..n_tasks {
        let t = total * k as u128 / n_tasks as u128;
        let b = locate(t).min(end);
        if b > *bounds.last().unwrap() {
            bounds.push(b);
        }
    }
    if end > *bounds.last().unwrap() {
        bounds.push(end);
    }
    bounds.windows(2).map(|w| (w[0], w[1])).collect()
}

/// Smallest c in [0, width] with prefix_cost(c) >= r, for a non-decreasing prefix_cost.
fn search(width: u64, r: u128, prefix_cost: impl Fn(u64) -> u128) -> u64 {
    let (mut lo, mut hi) = (0u64, width);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if prefix_cost(mid) >= r {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo
}

/// Ranges of the condensed pdist vector of trajectories with these lengths.
pub fn condensed_ranges(lengths: &[u64], n_tasks: usize) -> Vec<(u64, u64)> {
    let n = lengths.len() as u64;
    let m = n * n.saturating_sub(1) / 2;
    if m == 0 {
        return vec![];
    }
    // prefix[j] = lengths[0] + ... + lengths[j-1]
    let mut prefix = vec![0u128; lengths.len() + 1];
    for (j, &l) in lengths.iter().enumerate() {
        prefix[j + 1] = prefix[j] + l as u128;
    }
    let total_len = prefix[lengths.len()];
    // cost of row i's first c pairs (i, i+1), ..., (i, i+c)
    let row_prefix = |i: usize, c: u64| -> u128 {
        let li = lengths[i] as u128;
        li * (prefix[i + 1 + c as usize] - prefix[i + 1]) + PAIR_OVERHEAD as u128 * c as u128
    };
    let mut row_cum = vec![0u128; lengths.len() + 1];
    for i in 0..lengths.len() {
        let li = lengths[i] as u128;
        let rest = (lengths.len() - 1 - i) as u128;
        row_cum[i + 1] = row_cum[i] + li * (total_len - prefix[i + 1]) + PAIR_OVERHEAD as u128 * rest;
    }
    let total = row_cum[lengths.len()];
    cut(total, n_tasks, m, |t| {
        // the row holding target t: last i with row_cum[i] <= t
        let i = row_cum.partition_point(|&c| c <= t).saturating_sub(1).min(lengths.len() - 2);
        let width = n - 1 - i as u64;
        let c = search(width, t - row_cum[i], |c| row_prefix(i, c));
        condensed::row_start(n, i as u64) + c
    })
}

/// Ranges of the row-major flat (len(a) x len(b)) cdist output.
pub fn rect_ranges(lengths_a: &[u64], lengths_b: &[u64], n_tasks: usize) -> Vec<(u64, u64)> {
    let (na, nb) = (lengths_a.len() as u64, lengths_b.len() as u64);
    if na == 0 || nb == 0 {
        return vec![];
    }
    let mut prefix_b = vec![0u128; lengths_b.len() + 1];
    for (j, &l) in lengths_b.iter().enumerate() {
        prefix_b[j + 1] = prefix_b[j] + l as u128;
    }
    let sum_b = prefix_b[lengths_b.len()];
    let mut row_cum = vec![0u128; lengths_a.len() + 1];
    for (i, &l) in lengths_a.iter().enumerate() {
        row_cum[i + 1] = row_cum[i] + l as u128 * sum_b + PAIR_OVERHEAD as u128 * nb as u128;
    }
    let total = row_cum[lengths_a.len()];
    cut(total, n_tasks, na * nb, |t| {
        let i = row_cum.partition_point(|&c| c <= t).saturating_sub(1).min(lengths_a.len() - 1);
        let li = lengths_a[i] as u128;
        let c = search(nb, t - row_cum[i], |c| li * prefix_b[c as usize] + PAIR_OVERHEAD as u128 * c as u128);
        i as u64 * nb + c
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cost_of(lengths: &[u64], (s, e): (u64, u64)) -> u128 {
        let n = lengths.len() as u64;
        (s..e)
            .map(|k| {
                let (i, j) = condensed::pair(n, k);
                lengths[i as usize] as u128 * lengths[j as usize] as u128 + PAIR_OVERHEAD as u128
            })
            .sum()
    }

    #[test]
    fn condensed_covers_everything_in_order_and_balances() {
        // skewed: a few long trajectories first, many short ones after
        let mut lengths = vec![500u64; 5];
        lengths.extend(std::iter::repeat_n(10u64, 300));
        let n = lengths.len() as u64;
        let r = condensed_ranges(&lengths, 8);
        assert_eq!(r.first().unwrap().0, 0);
        assert_eq!(r.last().unwrap().1, n * (n - 1) / 2);
        for w in r.windows(2) {
            assert_eq!(w[0].1, w[1].0);
        }
        let costs: Vec<u128> = r.iter().map(|&x| cost_of(&lengths, x)).collect();
        let (lo, hi) = (*costs.iter().min().unwrap(), *costs.iter().max().unwrap());
        assert_eq!(r.len(), 8);
        // within one pair's cost of each other: 500*500 + overhead
        assert!(hi - lo <= 2 * (500 * 500 + PAIR_OVERHEAD as u128), "{costs:?}");
    }

    #[test]
    fn small_and_degenerate_inputs() {
        assert!(condensed_ranges(&[3], 4).is_empty());
        assert_eq!(condensed_ranges(&[3, 4], 4), vec![(0, 1)]);
        assert_eq!(condensed_ranges(&[3, 4, 5], 1), vec![(0, 3)]);
        let r = condensed_ranges(&[1; 10], 100);
        assert_eq!(r.len(), 45);
        assert_eq!(rect_ranges(&[2, 2], &[3, 3, 3], 3), vec![(0, 2), (2, 4), (4, 6)]);
        assert!(rect_ranges(&[], &[1], 3).is_empty());
    }
}
