//! Condensed distance vectors in scipy order: (0,1), (0,2), ..., (0,n-1), (1,2), ..., (n-2,n-1).
//!
//! Positions are computed in u128: with n near 2^33 the products pass 2^64 while the
//! position itself may still fit, and the Python API answers for any n below 2^64.

/// Start of row i < n in the condensed vector, exact for every n < 2^64: i (2n - i - 1) / 2.
#[inline]
pub fn row_start_exact(n: u64, i: u64) -> u128 {
    debug_assert!(i < n);
    let (i, rest) = (i as u128, 2 * n as u128 - i as u128 - 1);
    // i and 2n - i - 1 have opposite parities: halve the even one so the product stays < 2^128.
    if i % 2 == 0 {
        (i / 2) * rest
    } else {
        i * (rest / 2)
    }
}

/// Position of pair (i, j), i < j < n, in the condensed vector; exact for every n < 2^64.
#[inline]
pub fn index_exact(n: u64, i: u64, j: u64) -> u128 {
    debug_assert!(i < j && j < n);
    row_start_exact(n, i) + (j - i - 1) as u128
}

/// Number of pairs of n items, n (n - 1) / 2; exact for every n < 2^64.
#[inline]
pub fn pairs_exact(n: u64) -> u128 {
    if n == 0 {
        0
    } else {
        row_start_exact(n, n - 1)
    }
}

/// The pair (i, j) at position k < pairs_exact(n) of the condensed vector of n items.
pub fn pair_exact(n: u64, k: u128) -> (u64, u64) {
    debug_assert!(k < pairs_exact(n));
    // The last row i with row_start(i) <= k, by bisection: a float estimate loses whole rows
    // once n (2n - 1) is far beyond 2^53.
    let (mut lo, mut hi) = (0u64, n - 2);
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        if row_start_exact(n, mid) <= k {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let j = (k - row_start_exact(n, lo)) as u64 + lo + 1;
    (lo, j)
}

/// Position of pair (i, j), i < j < n, in a condensed vector that fits in u64.
#[inline]
pub fn index(n: u64, i: u64, j: u64) -> u64 {
    index_exact(n, i, j) as u64
}

/// Start of row i in a condensed vector that fits in u64.
#[inline]
pub fn row_start(n: u64, i: u64) -> u64 {
    row_start_exact(n, i) as u64
}

/// The pair (i, j) at position k of the condensed vector of n items.
pub fn pair(n: u64, k: u64) -> (u64, u64) {
    pair_exact(n, k as u128)
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

    #[test]
    fn exact_beyond_u64() {
        // k = n i - i (i + 1) / 2 + j - i - 1, the definition; every term fits in u128.
        let def = |n: u128, i: u128, j: u128| {
            n.checked_mul(i).unwrap() - i.checked_mul(i + 1).unwrap() / 2 + j - i - 1
        };
        let big = [2u64, 3, 1 << 32, (1 << 33) + 7, 1 << 40, u64::MAX / 3, u64::MAX - 1, u64::MAX];
        for &n in &big {
            let m = pairs_exact(n);
            assert_eq!(m, n as u128 * (n as u128 - 1) / 2);
            let mut cases = vec![(0, 1), (0, n - 1), (n - 2, n - 1)];
            for &i in &[1u64, n / 3, n / 2, n - 3] {
                if i + 1 < n {
                    cases.push((i, i + 1));
                    cases.push((i, n - 1));
                    cases.push((i, i + (n - i) / 2));
                }
            }
            for (i, j) in cases {
                if i >= j || j >= n {
                    continue;
                }
                let k = index_exact(n, i, j);
                assert_eq!(k, def(n as u128, i as u128, j as u128), "n={n} i={i} j={j}");
                assert!(k < m);
                assert_eq!(pair_exact(n, k), (i, j), "n={n} k={k}");
            }
            assert_eq!(pair_exact(n, m - 1), (n - 2, n - 1));
        }
        assert_eq!(index_exact(1 << 33, 1 << 32, (1 << 33) - 1), 3 * (1u128 << 63) + (1 << 31) - 2);
    }
}
