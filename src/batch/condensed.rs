//! Condensed distance vectors in scipy order: (0,1), (0,2), ..., (0,n-1), (1,2), ..., (n-2,n-1).

/// Position of pair (i, j), i < j < n, in the condensed vector.
#[inline]
pub fn index(n: u64, i: u64, j: u64) -> u64 {
    debug_assert!(i < j && j < n);
    // Row i starts after i rows of lengths n-1, n-2, ..., n-i.
    i * (2 * n - i - 1) / 2 + (j - i - 1)
}

/// Start of row i in the condensed vector.
#[inline]
pub fn row_start(n: u64, i: u64) -> u64 {
    i * (2 * n - i - 1) / 2
}

/// The pair (i, j) at position k of the condensed vector of n items.
pub fn pair(n: u64, k: u64) -> (u64, u64) {
    debug_assert!(k < n * (n - 1) / 2);
    // Solve row_start(i) <= k with a float estimate, then correct it exactly in integers
    // (the estimate can be off by one for large n).
    let nf = n as f64;
    let disc = (2.0 * nf - 1.0) * (2.0 * nf - 1.0) - 8.0 * k as f64;
    let mut i = (((2.0 * nf - 1.0) - disc.max(0.0).sqrt()) / 2.0).floor() as u64;
    i = i.min(n - 2);
    while i > 0 && row_start(n, i) > k {
        i -= 1;
    }
    while i + 1 < n - 1 && row_start(n, i + 1) <= k {
        i += 1;
    }
    let j = k - row_start(n, i) + i + 1;
    (i, j)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_small() {
        for n in 2..40u64 {
            let mut k = 0;
            for i in 0..n {
                for j in i + 1..n {
                    assert_eq!(index(n, i, j), k);
                    assert_eq!(pair(n, k), (i, j));
                    k += 1;
                }
            }
        }
    }

    #[test]
    fn exact_at_1e8() {
        let n = 100_000_000u64;
        let m = n * (n - 1) / 2;
        for &k in &[0, 1, n - 2, n - 1, m / 3, m / 2, m - n, m - 2, m - 1] {
            let (i, j) = pair(n, k);
            assert!(i < j && j < n);
            assert_eq!(index(n, i, j), k);
        }
        assert_eq!(pair(n, m - 1), (n - 2, n - 1));
    }
}
