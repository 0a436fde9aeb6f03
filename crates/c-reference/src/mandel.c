/*
 * The escape loop of the Rust SIMD rung (`simd-f32`, crates/simd), hand-written in C intrinsics: the
 * reference the Rust rung is measured against. Same points, same operations in the same order, so
 * the counts are equal bit for bit; the crate's Rust side (lib.rs) wraps it.
 *
 * Paths, chosen at run time (no -march: each function carries its target attribute):
 *   AVX-512F   avx512.c: 16 lanes, a sticky "alive" mask register set by the compare;
 *   AVX2+FMA   avx2.c: 8 lanes, a sticky "alive" mask subtracted from the counts;
 *   scalar     here: one pixel at a time with fmaf, for CPUs without AVX2+FMA.
 * This file also holds the dispatch and the SIMD paths' cold helpers.
 */
#include <math.h>
#include <string.h>

#include "mandel.h"

/* The point every padding lane (past the span's end) iterates: |c| > 2, so it escapes at once. */
#define PADDING_CX 4.0f

__attribute__((noinline, cold)) void mandel_c_points_slow(const mandel_c_view *v, const mandel_c_cursor *c, int lanes,
                                                           float *cx, float *cy) {
    size_t row = c->row, col = c->col;
    for (int i = 0; i < lanes; i++) {
        if (c->next + (size_t)i < c->len) {
            cx[i] = x_at(v, col);
            cy[i] = y_at(v, row);
            if (++col == v->width) {
                col = 0;
                row++;
            }
        } else {
            cx[i] = PADDING_CX;
            cy[i] = 0.0f;
        }
    }
}

__attribute__((noinline, cold)) void mandel_c_store_part(uint32_t *out, const uint32_t *counts, size_t count) {
    memcpy(out, counts, count * sizeof *counts);
}

/* The scalar twin (mandel_fma's loop): the escape test, then z = z*z + c with three fmaf. */
static void render_scalar(const mandel_c_view *v, size_t start, uint32_t *out, size_t len) {
    size_t row = start / v->width, col = start % v->width;
    float cy = y_at(v, row);
    for (size_t i = 0; i < len; i++) {
        const float cx = x_at(v, col);
        float re = 0.0f, im = 0.0f;
        uint32_t n = 0;
        while (n < v->max_iters) {
            const float im2 = im * im;
            if (fmaf(re, re, im2) > 4.0f) /* a NaN goes on, as in Rust */
                break;
            const float t = cx - im2, two_re = re + re;
            re = fmaf(re, re, t);
            im = fmaf(two_re, im, cy);
            n++;
        }
        out[i] = n;
        if (++col == v->width) {
            col = 0;
            cy = y_at(v, ++row);
        }
    }
}

/* The widest path this CPU (and its OS) supports. */
int mandel_c_best_isa(void) {
#if MANDEL_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f"))
        return MANDEL_C_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return MANDEL_C_AVX2;
#endif
    return MANDEL_C_SCALAR;
}

/* Render pixels start .. start+len of the flattened row-major image into out[0 .. len] on path
 * `isa` with `vectors` in flight and a check every `check_every` steps (both ignored by the scalar
 * path). Writes nothing outside out[0 .. len]. Returns MANDEL_C_OK, or without writing anything:
 * MANDEL_C_NO_ISA if this CPU lacks the path, MANDEL_C_NO_TUNING if the pair is not in the
 * path's MANDEL_C_*_TUNINGS (mandel.h), MANDEL_C_BAD_VIEW if width or max_iters is 0 or max_iters
 * does not fit an int. */
int mandel_c_render_f32(int isa, int vectors, int check_every, const mandel_c_view *view, size_t start, uint32_t *out,
                        size_t len) {
    if (isa < MANDEL_C_SCALAR || isa > mandel_c_best_isa())
        return MANDEL_C_NO_ISA;
    if (view->width == 0 || view->max_iters == 0 || view->max_iters > INT32_MAX)
        return MANDEL_C_BAD_VIEW;
    if (isa == MANDEL_C_SCALAR) {
        render_scalar(view, start, out, len);
        return MANDEL_C_OK;
    }
    const mandel_c_render_fn kernel = isa == MANDEL_C_AVX512 ? mandel_c_avx512_kernel(vectors, check_every)
                                                             : mandel_c_avx2_kernel(vectors, check_every);
    if (kernel == NULL)
        return MANDEL_C_NO_TUNING;
    if (len > 0)
        kernel(view, start, out, len);
    return MANDEL_C_OK;
}
