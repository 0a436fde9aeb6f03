//! Random valid parameters never panic, and on random views every kernel equals, bit for bit, the
//! scalar kernel that does its arithmetic (its twin), and stays within its tolerance of the f64
//! reference: the rule itself for f64 kernels, a stated wider bound for f32 ones.

use mandel_core::{Kernel, Params, Precision, Tolerance, compare, reference};
use mandel_registry::{available_kernels, kernel};
use proptest::prelude::*;

/// The scalar kernel that does `k`'s arithmetic (its precision, multiply-adds fused or not) pixel by
/// pixel: every faster kernel of that arithmetic (SIMD, refilling, threads, the C reference, exact
/// skipping) reorders work, never a rounding, so its counts must be the twin's exactly.
fn twin(k: &Kernel) -> &'static Kernel {
    let name = match (k.precision, k.fused) {
        (Precision::F32, false) => "naive-f32",
        (Precision::F64, false) => "naive-f64",
        (Precision::F32, true) => "fma-f32",
        (Precision::F64, true) => "fma-f64",
    };
    kernel(name).expect("the twins are registered")
}

/// What a kernel may differ from the f64 reference by on a random view. f64 kernels: their rule
/// ([`Tolerance::of`]), unchanged. f32 kernels: their rule's slack doubled and five times its
/// fraction, because the rule's 1% is set on the canonical view (and asserted there and on the fixed
/// views of tests/kernels.rs), where boundary pixels are few, while a small random view can be
/// mostly boundary, and on the boundary one f32 rounding moves an escape by any number of steps.
/// Five times the fraction still fails a wrong kernel (an off-by-one in the loop moves nearly every
/// pixel), and the twin check holds the fast kernels to the scalar ones exactly.
fn random_view_allowance(k: &Kernel) -> Tolerance {
    let rule = Tolerance::of(k.precision, k.fused);
    assert_eq!(rule, k.tolerance, "{}: the registry's tolerance is the rule's", k.name);
    match k.precision {
        Precision::F64 => rule,
        Precision::F32 => Tolerance { max_fraction: 5.0 * rule.max_fraction, slack_pixels: 2 * rule.slack_pixels },
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_views_stay_within_the_rule(
        w in 1usize..48, h in 1usize..48, it in 1u64..400,
        x0 in -2.5f64..1.0, xspan in 0.05f64..3.0,
        y0 in -1.5f64..1.0, yspan in 0.05f64..3.0,
    ) {
        let p = Params::new(w, h, (x0, x0 + xspan), (y0, y0 + yspan), it).unwrap();
        let expected = reference::render(&p);
        for k in available_kernels() {
            let (got, same_arithmetic) = (k.render_vec(&p), twin(k).render_vec(&p));
            let same = compare(&same_arithmetic, &got);
            prop_assert_eq!(same.differing, 0, "{} differs from its twin {}: {:?}", k.name, twin(k).name, same);
            let cmp = compare(&expected, &got);
            let allowed = random_view_allowance(k).allowed(cmp.pixels);
            prop_assert!(cmp.differing <= allowed, "{}: {:?}, allowed {}", k.name, cmp, allowed);
        }
    }

    #[test]
    fn arbitrary_inputs_give_ok_or_error_never_panic(
        w in 0usize..100_000, h in 0usize..100_000, it in 0u64..2_000_000,
        a in prop::num::f64::ANY, b in prop::num::f64::ANY,
        c in prop::num::f64::ANY, d in prop::num::f64::ANY,
    ) {
        if let Ok(p) = Params::new(w, h, (a, b), (c, d), it) {
            prop_assert!(p.pixels() > 0 && p.dx() > 0.0 && p.dy() > 0.0 && p.max_iters() >= 1);
        }
    }
}
