//! The kernels' knobs, in one table: [`row`] gives, for each path, the tunings every variant is
//! instantiated at. They are const generics of the loops (`VECTORS`, `CHECK_EVERY`, `REFILL_DIVISOR`),
//! so each entry is a monomorphised loop; `dispatch.rs` instantiates these and nothing else.
//!
//! Only the whole-vector kernel (`simd-f32`, `simd-f64`) on the wide paths has a choice, [`TUNINGS`]:
//! the best number of vectors in flight depends on the microarchitecture, so `calibrate.rs` chooses on
//! the CPU that runs (or `MANDEL_TUNING` forces one). The refill and algorithmic variants keep the
//! knobs they were measured with: 4 vectors where there are 32 vector registers (AVX-512, NEON), 3
//! with 16 (AVX2), 2 on the narrow paths; checks every 4 steps with 32 registers, else every 8; a
//! refill once half (32 registers) or a quarter of the lanes in flight have finished. The narrow
//! paths (SSE2 emulates its FMA, the scalar level has no vectors) are correctness fallbacks with one
//! tuning each. Counts never depend on the tuning.

use crate::Isa;

/// The two knobs of a loop: how many vectors are in flight per thread (`VECTORS`), and how many steps
/// run between two checks for a finished vector (`CHECK_EVERY`), named `v4k8` ([`Tuning::name`]). Only
/// the pairs of the table in `tuning.rs` exist. Which one the whole-vector kernel runs is chosen per
/// path and precision on the CPU that runs ([`crate::tuning()`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tuning {
    pub(crate) vectors: usize,
    pub(crate) check_every: usize,
}

/// The whole-vector kernel's tunings on the wide paths as `(vectors, check_every)`: the one list that
/// both [`TUNINGS`] and the dispatch's `match` expand, so a pair listed is instantiated on every wide
/// path and a pair not listed does not exist.
macro_rules! tunings {
    ($callback:ident ! ($($args:tt)*)) => {
        $callback!($($args)* ; (3, 8) (4, 4) (4, 8) (5, 4) (5, 8) (6, 4) (6, 8) (8, 4) (8, 8) (12, 8))
    };
}
pub(crate) use tunings;

macro_rules! tuning_list {
    (; $(($vectors:literal, $check_every:literal))*) => {
        &[$(Tuning { vectors: $vectors, check_every: $check_every }),*]
    };
}

/// The whole-vector kernel's tunings on the wide paths (AVX-512, AVX2, NEON), fewest vectors first:
/// what calibration times and `MANDEL_TUNING` may name.
pub const TUNINGS: &[Tuning] = tunings!(tuning_list!());

const fn tuning(vectors: usize, check_every: usize) -> Tuning {
    Tuning { vectors, check_every }
}

/// The narrow paths' one whole-vector tuning.
const NARROW: &[Tuning] = &[tuning(2, 8)];

/// One path's row of the table.
pub(crate) struct Row {
    /// The whole-vector kernel's instantiations: [`TUNINGS`] on a wide path, one on a narrow one.
    pub whole: &'static [Tuning],
    /// The whole-vector kernel's tuning before (or without) calibration, and `MANDEL_TUNING=default`'s.
    pub whole_default: Tuning,
    /// The refill variant's one instantiation.
    pub refill: Tuning,
    /// The refill variant refills once `VECTORS * LEN / refill_divisor` of the lanes in flight, over
    /// all its vectors, have finished.
    pub refill_divisor: usize,
    /// The algorithmic variant's one instantiation.
    pub algorithmic: Tuning,
}

/// The row of path `isa`: what every variant runs there.
pub(crate) const fn row(isa: Isa) -> Row {
    match isa {
        Isa::Avx512 | Isa::Neon => Row {
            whole: TUNINGS,
            whole_default: tuning(4, 8),
            refill: tuning(4, 4),
            refill_divisor: 2,
            algorithmic: tuning(4, 4),
        },
        Isa::Avx2 => Row {
            whole: TUNINGS,
            whole_default: tuning(3, 8),
            refill: tuning(3, 8),
            refill_divisor: 4,
            algorithmic: tuning(3, 8),
        },
        Isa::Sse2 | Isa::Scalar => Row {
            whole: NARROW,
            whole_default: NARROW[0],
            refill: tuning(2, 8),
            refill_divisor: 4,
            algorithmic: tuning(2, 8),
        },
    }
}

impl Tuning {
    /// Vectors in flight per thread (`VECTORS`): independent dependency chains that hide the step's latency.
    pub fn vectors(self) -> usize {
        self.vectors
    }
    /// Steps between two checks for a finished vector (`CHECK_EVERY`).
    pub fn check_every(self) -> usize {
        self.check_every
    }
    /// `v4k8`: the name `MANDEL_TUNING` and the reports use.
    pub fn name(self) -> String {
        format!("v{}k{}", self.vectors, self.check_every)
    }
    /// The whole-vector kernel's tuning on path `isa` before (or without) calibration.
    pub fn default_for(isa: Isa) -> Tuning {
        row(isa).whole_default
    }
    /// The whole-vector kernel's instantiations on path `isa`: what calibration chooses from ([`TUNINGS`]
    /// on AVX-512, AVX2 and NEON; the default alone on SSE2 and the scalar level, which ignore any other).
    pub fn candidates(isa: Isa) -> &'static [Tuning] {
        row(isa).whole
    }
}

impl std::fmt::Display for Tuning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

/// Serialized as its [`Tuning::name`] (`v4k8`), as `MANDEL_TUNING` spells it.
impl serde::Serialize for Tuning {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}
