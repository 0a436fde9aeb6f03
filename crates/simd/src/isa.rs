//! The instruction-set paths, and which of them this CPU runs: detected once per process and cached,
//! as memchr does.

use fearless_simd::Level;
use std::sync::OnceLock;

/// An instruction-set path of the SIMD kernels. Every path runs the same generic kernel source; they
/// differ in vector width and in how `mul_add_precise` is carried out (see [`Isa::name`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Isa {
    /// x86-64 AVX-512 (fearless_simd's Ice Lake feature set): 16 f32 / 8 f64 lanes, `vfmadd` on zmm.
    Avx512,
    /// x86-64-v3 (AVX2 + FMA): 8 f32 / 4 f64 lanes, `vfmadd` on ymm.
    Avx2,
    /// x86-64 baseline SSE2: 4 f32 / 2 f64 lanes, no FMA instruction: the fused multiply-add is
    /// emulated exactly (error-free transformations), so counts still equal the scalar twin's.
    Sse2,
    /// aarch64 NEON: 4 f32 / 2 f64 lanes, `fmla`.
    Neon,
    /// No SIMD: fearless_simd's scalar level (4 f32 / 2 f64 "lanes" in plain scalar code, FMA emulated).
    Scalar,
}

impl Isa {
    /// Every path, widest first.
    pub const ALL: [Isa; 5] = [Isa::Avx512, Isa::Avx2, Isa::Sse2, Isa::Neon, Isa::Scalar];

    /// The name used by `MANDEL_ISA`, bench ids and labels: `avx512`, `avx2`, `sse2`, `neon`, `scalar`.
    pub fn name(self) -> &'static str {
        match self {
            Isa::Avx512 => "avx512",
            Isa::Avx2 => "avx2",
            Isa::Sse2 => "sse2",
            Isa::Neon => "neon",
            Isa::Scalar => "scalar",
        }
    }

    /// The path named `name` (as [`Isa::name`] spells it, any case, no spaces), if any.
    pub fn from_name(name: &str) -> Option<Isa> {
        Isa::ALL.into_iter().find(|isa| isa.name().eq_ignore_ascii_case(name))
    }

    /// Vector width in bits, for ordering: a forced path falls back to one no wider.
    fn bits(self) -> u32 {
        match self {
            Isa::Avx512 => 512,
            Isa::Avx2 => 256,
            Isa::Sse2 | Isa::Neon => 128,
            Isa::Scalar => 0,
        }
    }

    /// The path that runs when this one is asked for: itself if the CPU has it, otherwise the widest
    /// available path no wider than it (at worst [`Isa::Scalar`]). Never a path the CPU lacks.
    pub fn resolve(self) -> Isa {
        available_isas().iter().copied().find(|isa| isa.bits() <= self.bits()).unwrap_or(Isa::Scalar)
    }

    /// Lanes per f32 vector on this path.
    pub fn f32_lanes(self) -> usize {
        self.bits().max(128) as usize / 32
    }

    /// Lanes per f64 vector on this path.
    pub fn f64_lanes(self) -> usize {
        self.bits().max(128) as usize / 64
    }
}

impl std::fmt::Display for Isa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Serialized as its [`Isa::name`], as `MANDEL_ISA` and the result files spell it.
impl serde::Serialize for Isa {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// The paths this CPU can run, widest first; [`Isa::Scalar`] is always last. Detected once.
pub fn available_isas() -> &'static [Isa] {
    static AVAILABLE: OnceLock<Vec<Isa>> = OnceLock::new();
    AVAILABLE.get_or_init(|| {
        let mut isas = Vec::new();
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        {
            let level = level();
            if level.as_avx512().is_some() {
                isas.push(Isa::Avx512);
            }
            if level.as_avx2().is_some() {
                isas.push(Isa::Avx2);
            }
            if level.as_sse2().is_some() {
                isas.push(Isa::Sse2);
            }
        }
        #[cfg(target_arch = "aarch64")]
        if level().as_neon().is_some() {
            isas.push(Isa::Neon);
        }
        isas.push(Isa::Scalar);
        isas
    })
}

/// The path [`crate::render_f32`] and friends take: the widest available, or the one `MANDEL_ISA`
/// forces (resolved to one the CPU has). Chosen once, at first use. An unknown name is refused by
/// the entry points (CLI, Python extension, benches: `mandel_core::check_env`) before any kernel
/// runs; a library caller that skips that check gets the widest path.
pub fn selected_isa() -> Isa {
    static SELECTED: OnceLock<Isa> = OnceLock::new();
    *SELECTED.get_or_init(|| {
        let widest = available_isas()[0];
        match mandel_core::forced_isa().and_then(|name| Isa::from_name(&name)) {
            Some(forced) => forced.resolve(),
            None => widest,
        }
    })
}

/// This CPU's [`Level`], detected once (memchr caches its choice the same way): every render would
/// otherwise re-run CPUID-based detection, once per call and once per rayon task.
pub(crate) fn level() -> Level {
    static LEVEL: OnceLock<Level> = OnceLock::new();
    *LEVEL.get_or_init(Level::new)
}
