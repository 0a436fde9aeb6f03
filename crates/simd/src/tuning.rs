//! The kernels' knobs, instantiated as const generics.

use crate::Isa;

/// The whole-vector kernel's two knobs, instantiated as const generics (`VECTORS`, `CHECK_EVERY` in `whole.rs`): how
/// many vectors are in flight per thread, and how many steps run between two checks for a finished
/// vector. Only the pairs in [`TUNINGS`] exist; which one runs is chosen per path and precision on the
/// CPU that runs ([`crate::tuning`]). Counts never depend on the choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tuning {
    pub(crate) vectors: usize,
    pub(crate) check_every: usize,
}

/// Every instantiated [`Tuning`] as `(vectors, check_every)`: the one list the macro below expands,
/// so a pair is either instantiated on every path or does not exist.
macro_rules! tunings {
    ($callback:ident ! ($($args:tt)*)) => {
        $callback!($($args)* ; (3, 8) (4, 4) (4, 8) (5, 4) (5, 8) (6, 4) (6, 8) (8, 4) (8, 8) (12, 8))
    };
}
pub(crate) use tunings;

macro_rules! tuning_list {
    (; $(($v:literal, $k:literal))*) => {
        &[$(Tuning { vectors: $v, check_every: $k }),*]
    };
}

/// The instantiated tunings, fewest vectors first.
pub const TUNINGS: &[Tuning] = tunings!(tuning_list!());

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
    /// The instantiated tuning named `name` (`v4k8`, any case), if any.
    pub fn from_name(name: &str) -> Option<Tuning> {
        TUNINGS.iter().copied().find(|t| t.name().eq_ignore_ascii_case(name.trim()))
    }
    /// The tuning a path uses before (or without) calibration: the fixed choice the kernel shipped with.
    pub fn default_for(isa: Isa) -> Tuning {
        match isa {
            Isa::Avx512 | Isa::Neon => Tuning { vectors: 4, check_every: 8 },
            Isa::Avx2 => Tuning { vectors: 3, check_every: 8 },
            Isa::Sse2 | Isa::Scalar => Tuning { vectors: 2, check_every: 8 },
        }
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
