//! Run-time CPU feature detection for the kernels that have AVX2 and AVX-512 builds.
//!
//! `TRAJARENA_SIMD=avx2` or `TRAJARENA_SIMD=portable` caps what is used (read once per process):
//! for comparing the builds, which must give identical results, and for machines that slow
//! their clock under AVX-512 load.

use std::sync::OnceLock;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Portable,
    Avx2,
    Avx512,
}

fn level() -> Level {
    static LEVEL: OnceLock<Level> = OnceLock::new();
    *LEVEL.get_or_init(|| {
        let cap = match std::env::var("TRAJARENA_SIMD").as_deref() {
            Ok("portable") => Level::Portable,
            Ok("avx2") => Level::Avx2,
            _ => Level::Avx512,
        };
        detected().min(cap)
    })
}

fn detected() -> Level {
    #[cfg(target_arch = "x86_64")]
    {
        if !(is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")) {
            Level::Portable
        } else if is_x86_feature_detected!("avx512f")
            && is_x86_feature_detected!("avx512dq")
            && is_x86_feature_detected!("avx512vl")
        {
            Level::Avx512
        } else {
            Level::Avx2
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        Level::Portable
    }
}

/// Whether the AVX2 + FMA builds may run.
pub fn has_avx2() -> bool {
    level() >= Level::Avx2
}

/// Whether the AVX-512 F/DQ/VL builds may run (8 f64 per register: one lane kernel vector).
pub fn has_avx512() -> bool {
    level() >= Level::Avx512
}

/// The instruction set the kernels use, for benchmarks and bug reports.
pub fn simd_name() -> &'static str {
    match level() {
        Level::Portable => "portable",
        Level::Avx2 => "avx2",
        Level::Avx512 => "avx512",
    }
}
