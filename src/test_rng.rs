//! A seeded generator for the unit tests (no dependency needed for a few random trajectories).

/// Uniform doubles in [0, 1) from a 64-bit LCG seeded with `seed`.
pub fn uniform(mut seed: u64) -> impl FnMut() -> f64 {
    move || {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    }
}
