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

/// A kernel whose body can be compiled once per instruction set and stored dimension: `run::<D>`
/// is the code (D = 2 or 3 values per stored point), which `dispatch` calls from a function
/// built with the best target features this CPU has. Implementations mark `run`
/// `#[inline(always)]`, so that it is compiled inside that function, with its features.
///
/// FMA is only enabled, never contracted into: Rust does not fuse a * b + c without an
/// explicit `mul_add`, so every build computes the same bits.
pub trait Kernel {
    type Out;
    /// Whether an AVX-512 build pays: kernels written for 4-wide vectors gain nothing from it
    /// and stay on AVX2.
    const AVX512: bool = true;
    fn run<const D: usize>(self) -> Self::Out;
}

/// Runs `k` for `dim`-valued points, built for the best instruction set that may run here.
#[inline(always)]
pub fn dispatch<K: Kernel>(dim: usize, k: K) -> K::Out {
    #[cfg(target_arch = "x86_64")]
    {
        if K::AVX512 && has_avx512() {
            // SAFETY: the CPU supports AVX-512 F/DQ/VL, AVX2 and FMA (checked at run time); the
            // function is otherwise the safe `run`, with the same bounds-checked indexing.
            return unsafe { if dim == 2 { avx512::<K, 2>(k) } else { avx512::<K, 3>(k) } };
        }
        if has_avx2() {
            // SAFETY: the CPU supports AVX2 and FMA (checked at run time); as above.
            return unsafe { if dim == 2 { avx2::<K, 2>(k) } else { avx2::<K, 3>(k) } };
        }
    }
    by_dim(dim, k)
}

/// Runs `k` for `dim`-valued points, built without extra target features.
#[inline(always)]
pub fn by_dim<K: Kernel>(dim: usize, k: K) -> K::Out {
    if dim == 2 {
        k.run::<2>()
    } else {
        k.run::<3>()
    }
}

/// 8 f64 per register; one function per dimension, each compiled on its own.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2,fma")]
unsafe fn avx512<K: Kernel, const D: usize>(k: K) -> K::Out {
    k.run::<D>()
}

/// 4 f64 per register.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn avx2<K: Kernel, const D: usize>(k: K) -> K::Out {
    k.run::<D>()
}
