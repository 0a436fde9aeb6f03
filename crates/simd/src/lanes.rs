//! The two precisions as SIMD lanes, and the one escape step both kernels run.

use fearless_simd::{
    Bytes, Select, Simd, SimdBase, SimdFloat, SimdFloatElement, SimdInt, SimdIntElement, SimdMask, SimdNarrow,
};
use mandel_core::Real;

/// A precision (`f32` or `f64`) seen as lanes of a native-width vector of any SIMD level `S`: the float
/// vector, the signed integer vector with the same lane count (per-lane counts and pixel indices, `i32` or
/// `i64` lanes) and their common mask. Generic associated types let one generic function serve every level.
pub(crate) trait Lanes: Real + SimdFloatElement {
    /// The integer lane: as wide as the float lane, so counts and floats share one mask type.
    type Int: SimdIntElement + From<i32> + Into<i64>;
    type F<S: Simd>: SimdFloat<S, Element = Self, Mask = Self::M<S>>;
    type I<S: Simd>: SimdInt<S, Element = Self::Int, Mask = Self::M<S>>;
    type M<S: Simd>: SimdMask<S, Ints = Self::I<S>> + Select<Self::F<S>> + Select<Self::I<S>>;

    /// Write the counts of `n` (capped at `max`) into `out`, which holds exactly a vector's lanes.
    /// No partial store: a call (a `memcpy`, or an out-of-line helper) in the kernel's refill path,
    /// even a cold one, makes LLVM keep every vector's state on the stack in the hot loop (trick 10a in
    /// the crate docs), so the span's last, partial vector goes through a local buffer there.
    fn store_counts<S: Simd>(n: Self::I<S>, max: Self::I<S>, out: &mut [u32]);

    /// [`Orbit::step`] for this precision: level `S`'s step for it.
    fn step<S: Step>(orbit: &mut Orbit<S, Self>, consts: Consts<S, Self>);
}

impl Lanes for f32 {
    type Int = i32;
    type F<S: Simd> = S::f32s;
    type I<S: Simd> = S::i32s;
    type M<S: Simd> = S::mask32s;
    #[inline(always)]
    fn store_counts<S: Simd>(n: S::i32s, max: S::i32s, out: &mut [u32]) {
        let counts: S::u32s = n.min(max).bitcast();
        counts.store_slice(out);
    }
    #[inline(always)]
    fn step<S: Step>(orbit: &mut Orbit<S, f32>, consts: Consts<S, f32>) {
        S::step_f32(orbit, consts)
    }
}

impl Lanes for f64 {
    type Int = i64;
    type F<S: Simd> = S::f64s;
    type I<S: Simd> = S::i64s;
    type M<S: Simd> = S::mask64s;
    #[inline(always)]
    fn store_counts<S: Simd>(n: S::i64s, max: S::i64s, out: &mut [u32]) {
        let n = n.min(max);
        // Counts fit in 32 bits: narrowing two copies puts the counts in the low half.
        let counts: S::u32s = n.narrow(n).bitcast();
        out.copy_from_slice(&counts.as_slice()[..n.as_slice().len()]);
    }
    #[inline(always)]
    fn step<S: Step>(orbit: &mut Orbit<S, f64>, consts: Consts<S, f64>) {
        S::step_f64(orbit, consts)
    }
}

/// Calls `$body` with `$v` = 0, 1, .., `$n` - 1 (`$n` <= 16, a constant) as straight-line code: no loop
/// for LLVM to place spill code around, and array elements indexed by `$v` can live in registers.
macro_rules! unrolled {
    ($n:expr, |$v:ident| $body:block) => {{
        const { assert!($n <= 16, "unrolled! handles at most 16 iterations") };
        $crate::lanes::unrolled!(@ $n, $v, $body, 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15);
    }};
    (@ $n:expr, $v:ident, $body:block, $($i:literal)*) => {
        $(
            {
                let $v: usize = $i;
                if $v < $n $body
            }
        )*
    };
}
pub(crate) use unrolled;

/// Lanes per vector of precision `T` at level `S` (16 for f32 on AVX-512, 4 on SSE2 and NEON).
#[inline(always)]
pub(crate) const fn lanes<S: Simd, T: Lanes>() -> usize {
    <T::F<S> as SimdBase<S>>::LEN
}

/// The constants of a step, made once per render.
#[derive(Clone, Copy)]
pub(crate) struct Consts<S: Simd, T: Lanes> {
    pub four: T::F<S>,
    /// 1 in every lane, hidden from the optimiser: LLVM rewrites a masked `n + 1` with a known 1 into
    /// mask-to-vector and subtract, one instruction more than the masked add (see `avx512.rs`).
    pub one: T::I<S>,
}

impl<S: Simd, T: Lanes> Consts<S, T> {
    #[inline(always)]
    pub fn new(simd: S) -> Self {
        Consts {
            four: T::F::<S>::splat(simd, T::FOUR),
            one: std::hint::black_box(T::I::<S>::splat(simd, T::Int::from(1))),
        }
    }
}

/// One vector of escape-time orbits: `LEN` pixels iterated together.
pub(crate) struct Orbit<S: Simd, T: Lanes> {
    pub re: T::F<S>,
    pub im: T::F<S>,
    pub cx: T::F<S>,
    pub cy: T::F<S>,
    /// Steps taken while alive: a lane's escape count once it has escaped.
    pub n: T::I<S>,
    /// Lanes that have not escaped yet.
    pub alive: T::M<S>,
}

impl<S: Simd, T: Lanes> Orbit<S, T> {
    /// Fresh orbits `z = 0` at the points `c = cx + i cy`, all lanes alive.
    #[inline(always)]
    pub fn start(simd: S, cx: T::F<S>, cy: T::F<S>) -> Self {
        let zero = T::F::<S>::splat(simd, T::ZERO);
        Orbit {
            re: zero,
            im: zero,
            cx,
            cy,
            n: T::I::<S>::splat(simd, T::Int::from(0)),
            alive: T::M::<S>::splat(simd, true),
        }
    }

    /// One step of every lane: the escape test, the count, then `z = z*z + c`, with exactly the scalar
    /// FMA rung's operations in its order (`mandel_fma::escape_count`), so each lane rounds as its scalar
    /// twin does. `mul_add_precise` is one fused, singly rounded multiply-add: the `vfmadd` instruction on
    /// AVX2, `fmla` on NEON, an exact software emulation on SSE2 and the scalar level.
    ///
    /// This is the portable step, for levels whose masks are vectors: `alive` is sticky (an AND) and a
    /// true lane (integer -1) is subtracted from the count, two cheap vector operations. A lane that has
    /// escaped goes on iterating (its `z` overflows to infinity, then NaN) but never counts again.
    /// AVX-512 has predicate registers and its own step (`avx512.rs`); AVX2's (`avx2.rs`) is this one
    /// with `cx` and `cy` read from memory.
    #[inline(always)]
    pub fn step_portable(&mut self, consts: Consts<S, T>) {
        let im2 = self.im * self.im;
        let mag = self.re.mul_add_precise(self.re, im2);
        // The twin breaks on `mag > 4` (a NaN would keep it going, and does here too).
        self.alive &= !mag.simd_gt(consts.four);
        self.n -= self.alive.to_vector();
        let new_re = self.re.mul_add_precise(self.re, self.cx - im2);
        self.im = (self.re + self.re).mul_add_precise(self.im, self.cy);
        self.re = new_re;
    }
}

/// A SIMD level's escape step: the portable [`Orbit::step_portable`] unless the level has a better one
/// (AVX-512 and AVX2, in `avx512.rs` and `avx2.rs`). Every step must give exactly the portable step's
/// counts.
pub(crate) trait Step: Simd {
    #[inline(always)]
    fn step_f32(orbit: &mut Orbit<Self, f32>, consts: Consts<Self, f32>) {
        orbit.step_portable(consts)
    }
    #[inline(always)]
    fn step_f64(orbit: &mut Orbit<Self, f64>, consts: Consts<Self, f64>) {
        orbit.step_portable(consts)
    }
}

impl Step for fearless_simd::Fallback {}
#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
impl Step for fearless_simd::x86::Sse2 {}
#[cfg(target_arch = "aarch64")]
impl Step for fearless_simd::aarch64::Neon {}

impl<S: Step, T: Lanes> Orbit<S, T> {
    /// One step of every lane, the best way level `S` has.
    #[inline(always)]
    pub fn step(&mut self, consts: Consts<S, T>) {
        T::step(self, consts)
    }
}

/// The hot loop's body, shared by the whole-vector (`whole.rs`) and refill (`refill.rs`) kernels:
/// `CHECK_EVERY` steps of every vector, unrolled so that the vectors stay in registers, then the step
/// counter (and, with `COUNT_LANES`, the lane-iterations executed: every lane of every step).
#[inline(always)]
pub(crate) fn steps<S: Step, T: Lanes, const VECTORS: usize, const CHECK_EVERY: usize, const COUNT_LANES: bool>(
    orbits: &mut [Orbit<S, T>; VECTORS],
    consts: Consts<S, T>,
    step: &mut u64,
    lane_iterations: &mut u64,
) {
    unrolled!(CHECK_EVERY, |_s| {
        for orbit in orbits.iter_mut() {
            orbit.step(consts);
        }
    });
    *step += CHECK_EVERY as u64;
    if COUNT_LANES {
        *lane_iterations += (CHECK_EVERY * VECTORS * lanes::<S, T>()) as u64;
    }
}

#[cfg(test)]
mod tests {
    //! The specialised steps (`avx512.rs`, `avx2.rs`) against the portable one, lane for lane, on
    //! values the render never produces as well as those it does: the counts of every kernel rest on
    //! their being the same step.
    use super::*;

    /// A deterministic stream of awkward values: zeros of both signs, subnormals, infinities, NaN,
    /// 4 (the escape test's bound) and ±2, huge values, and ordinary values around the set.
    struct Values(u64);

    impl Values {
        fn next<T: Lanes>(&mut self) -> T {
            // xorshift64*
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            let r = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
            let uniform = (r >> 11) as f64 / (1u64 << 53) as f64;
            let x = match r % 16 {
                0 => 0.0,
                1 => -0.0,
                2 => 1e-40,
                3 => -1e-310,
                4 => f64::INFINITY,
                5 => f64::NEG_INFINITY,
                6 => f64::NAN,
                7 => 2.0,
                8 => -2.0,
                9 => 4.0,
                10 => 1.0e30 * (uniform - 0.5),
                _ => 5.0 * uniform - 2.5,
            };
            T::from_f64(x)
        }
    }

    fn same<T: Lanes>(a: T, b: T) -> bool {
        let (a, b) = (a.to_f64(), b.to_f64());
        // NaN's sign and payload follow the operand order (fmsub against fma); a NaN never counts.
        if a.is_nan() { b.is_nan() } else { a.to_bits() == b.to_bits() }
    }

    /// `rounds` vectors of random orbits, 3 steps each, on level `S`: the level's own step and the
    /// portable one give the same `re`, `im` (bit for bit, NaNs as NaNs), counts and live lanes.
    fn specialised_equals_portable<S: Step, T: Lanes>(simd: S, rounds: usize) {
        let len = lanes::<S, T>();
        let consts = Consts::<S, T>::new(simd);
        let mut values = Values(0x9E37_79B9_7F4A_7C15);
        for round in 0..rounds {
            let mut lane = |_: usize| values.next::<T>();
            let (re, im): (Vec<T>, Vec<T>) = ((0..len).map(&mut lane).collect(), (0..len).map(&mut lane).collect());
            let mut cx: Vec<T> = (0..len).map(&mut lane).collect();
            let cy: Vec<T> = (0..len).map(&mut lane).collect();
            // Every fourth round, cx - im*im cancels exactly in some lanes.
            if round % 4 == 0 {
                for i in (0..len).step_by(2) {
                    cx[i] = im[i] * im[i];
                }
            }
            let flags: Vec<T> = (0..len).map(|i| if (round + i) % 3 == 0 { T::ZERO } else { T::FOUR }).collect();
            let make = || Orbit::<S, T> {
                re: T::F::<S>::from_slice(simd, &re),
                im: T::F::<S>::from_slice(simd, &im),
                cx: T::F::<S>::from_slice(simd, &cx),
                cy: T::F::<S>::from_slice(simd, &cy),
                n: T::I::<S>::splat(simd, T::Int::from(round as i32 % 7)),
                alive: T::F::<S>::from_slice(simd, &flags).simd_gt(T::F::<S>::splat(simd, T::ZERO)),
            };
            let (mut own, mut portable) = (make(), make());
            simd.vectorize(
                #[inline(always)]
                || {
                    for _ in 0..3 {
                        own.step(consts);
                        portable.step_portable(consts);
                    }
                },
            );
            for i in 0..len {
                let what =
                    format!("round {round} lane {i}: re {:?} im {:?} cx {:?} cy {:?}", re[i], im[i], cx[i], cy[i]);
                assert!(same(own.re.as_slice()[i], portable.re.as_slice()[i]), "re, {what}");
                assert!(same(own.im.as_slice()[i], portable.im.as_slice()[i]), "im, {what}");
                let (a, b): (i64, i64) = (own.n.as_slice()[i].into(), portable.n.as_slice()[i].into());
                assert_eq!(a, b, "count, {what}");
                let (a, b): (i64, i64) =
                    (own.alive.to_vector().as_slice()[i].into(), portable.alive.to_vector().as_slice()[i].into());
                assert_eq!(a, b, "alive, {what}");
            }
        }
    }

    #[test]
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    fn the_avx512_and_avx2_steps_equal_the_portable_step() {
        let level = crate::isa::level();
        let mut ran = 0;
        if let Some(simd) = level.as_avx512() {
            specialised_equals_portable::<_, f32>(simd, 20_000);
            specialised_equals_portable::<_, f64>(simd, 20_000);
            ran += 1;
        }
        if let Some(simd) = level.as_avx2() {
            specialised_equals_portable::<_, f32>(simd, 20_000);
            specialised_equals_portable::<_, f64>(simd, 20_000);
            ran += 1;
        }
        // Every x86-64 machine this project runs on has AVX2 and FMA (a test that ran nothing would
        // pass on any step): say so if one does not.
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
            assert!(ran >= 1, "AVX2 and FMA detected, but no specialised step was tested");
        }
    }
}
