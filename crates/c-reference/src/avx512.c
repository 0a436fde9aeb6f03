/*
 * The C reference's AVX-512F path: 16 lanes, the Rust AVX-512 step (crates/simd/src/avx512.rs)
 * instruction for instruction: a sticky "alive" mask in a mask register, updated by the compare's
 * write-mask, z updated unmasked (the real part as fmsub(re, re, im2 - cx), bit for bit, NaNs
 * aside, the twin's fma(re, re, cx - im2): see avx512.rs), counted by a masked subtract of -1 (GCC
 * copies n around a masked add of 1). 8 instructions a step in the loop GCC 12 generates, with
 * -fno-tree-coalesce-vars, which build.rs gives this file only (without it GCC copies registers
 * around the step); Clang 14 makes the masked subtract two instructions. An earlier version froze
 * escaped lanes with merge-masked FMAs; that put the compare on the critical path, as it did in Rust,
 * and was slower, most at 2 vectors in flight (MEASUREMENTS.md, "Other changes").
 *
 * V vectors of consecutive pixels are in flight (independent FMA chains to hide their latency); every
 * K steps the loop checks whether one has finished: every lane escaped, or max_iters steps since it
 * started. A finished vector stores its counts (capped at max_iters) and takes the next pixels.
 */
#include "mandel.h"

#if MANDEL_X86
#include <immintrin.h>

#define AVX512 __attribute__((target("avx512f")))

/* One vector of 16 consecutive pixels in flight. */
typedef struct {
    __m512 re, im, cx, cy;
    __m512i n;       /* steps taken while inside: the counts */
    __mmask16 alive; /* lanes inside at the last step */
    size_t first;    /* its first pixel (span-relative; >= len: padding only) */
    uint64_t started; /* the step it started at */
} vec16;

/* Give `x` the next 16 pixels of the span (padding past its end), starting at step `step`. */
static AVX512 INLINE void start16(vec16 *x, const mandel_c_view *v, mandel_c_cursor *c, uint64_t step) {
    x->first = c->next;
    if (c->col + 16 <= v->width && c->next + 16 <= c->len) {
        /* One row, all pixels: x_min + (col + i)*dx for 16 columns, in double (col + i is exact). */
        const __m512d col = _mm512_set1_pd((double)c->col), dx = _mm512_set1_pd(v->dx);
        const __m512d x_min = _mm512_set1_pd(v->x_min);
        const __m512d lo = _mm512_add_pd(col, _mm512_setr_pd(0, 1, 2, 3, 4, 5, 6, 7));
        const __m512d hi = _mm512_add_pd(col, _mm512_setr_pd(8, 9, 10, 11, 12, 13, 14, 15));
        const __m256 xlo = _mm512_cvtpd_ps(_mm512_add_pd(x_min, _mm512_mul_pd(lo, dx)));
        const __m256 xhi = _mm512_cvtpd_ps(_mm512_add_pd(x_min, _mm512_mul_pd(hi, dx)));
        x->cx = _mm512_castpd_ps(
            _mm512_insertf64x4(_mm512_castpd256_pd512(_mm256_castps_pd(xlo)), _mm256_castps_pd(xhi), 1));
        x->cy = _mm512_set1_ps(y_at(v, c->row));
    } else {
        float cx[16], cy[16];
        mandel_c_points_slow(v, c, 16, cx, cy);
        x->cx = _mm512_loadu_ps(cx);
        x->cy = _mm512_loadu_ps(cy);
    }
    advance(c, v->width, 16);
    x->re = x->im = _mm512_setzero_ps();
    x->n = _mm512_setzero_si512();
    x->alive = 0xFFFF;
    x->started = step;
}

/* One step: the Rust AVX-512 step (crates/simd/src/avx512.rs), instruction for instruction.
 * alive &= !(mag > 4), unordered (a NaN goes on, as in Rust), done by the compare's write-mask. An
 * escaped lane iterates on (to infinity, then NaN) but never counts again (masked n - (-1), which GCC
 * keeps in place where it copies n around a masked n + 1). */
static AVX512 INLINE void step16(vec16 *x, __m512 four, __m512i minus_one) {
    __m512 im2 = _mm512_mul_ps(x->im, x->im);
    __m512 u = _mm512_sub_ps(im2, x->cx);
    KEEP(u);
    const __m512 mag = _mm512_fmadd_ps(x->re, x->re, im2);
    x->alive = _mm512_mask_cmp_ps_mask(x->alive, mag, four, _CMP_NGT_UQ);
    __m512 two_re = _mm512_add_ps(x->re, x->re);
    KEEP(two_re);
    x->re = _mm512_fmsub_ps(x->re, x->re, u);
    x->im = _mm512_fmadd_ps(two_re, x->im, x->cy);
    x->n = _mm512_mask_sub_epi32(x->n, x->alive, x->n, minus_one);
}

/* Store the counts of `x`, capped at max_iters; padding lanes are not stored. */
static AVX512 INLINE void store16(const vec16 *x, uint32_t *out, size_t len, __m512i max) {
    if (x->first >= len)
        return;
    const __m512i counts = _mm512_min_epi32(x->n, max);
    if (len - x->first >= 16) {
        _mm512_storeu_si512(out + x->first, counts);
    } else {
        uint32_t part[16];
        _mm512_storeu_si512(part, counts);
        mandel_c_store_part(out + x->first, part, len - x->first);
    }
}

static AVX512 INLINE void render_avx512(const mandel_c_view *v, size_t start, uint32_t *out, size_t len, const int V,
                                        const int K) {
    mandel_c_cursor cur = {0, len, start / v->width, start % v->width};
    const uint64_t max_iters = v->max_iters;
    const __m512 four = _mm512_set1_ps(4.0f);
    const __m512i max = _mm512_set1_epi32((int)v->max_iters), minus_one = _mm512_set1_epi32(-1);
    vec16 x[MAX_VECTORS];
    uint64_t step = 0;

    EACH_VECTOR(V, j, start16(&x[j], v, &cur, 0));
    for (;;) {
        /* The step at which the oldest vector has run max_iters steps. */
        uint64_t deadline = x[0].started;
        EACH_VECTOR(V, j, deadline = x[j].started < deadline ? x[j].started : deadline);
        deadline += max_iters;
        /* The hot loop: K steps of every vector, then one check whether any vector has finished.
         * The steps stay a loop (unrolling them made GCC spill on AVX2 and gained nothing here). */
        for (;;) {
#pragma GCC unroll 1
            for (int s = 0; s < K; s++)
                EACH_VECTOR(V, j, step16(&x[j], four, minus_one));
            step += K;
            int finished = step >= deadline;
            EACH_VECTOR(V, j, finished |= x[j].alive == 0);
            if (finished)
                break;
        }
        /* Finished vectors store their counts and take the next pixels (padding once the span is done). */
        int done = 1;
        EACH_VECTOR(V, j, {
            if (x[j].alive == 0 || step - x[j].started >= max_iters) {
                store16(&x[j], out, len, max);
                start16(&x[j], v, &cur, step);
            }
            done &= x[j].first >= len;
        });
        if (done)
            return;
    }
}

/* One function per tuning, each with its constant V and K. */
#define INSTANTIATE(V, K)                                                                                              \
    static AVX512 void avx512_v##V##_k##K(const mandel_c_view *v, size_t start, uint32_t *out, size_t len) {          \
        render_avx512(v, start, out, len, V, K);                                                                       \
    }
MANDEL_C_AVX512_TUNINGS(INSTANTIATE)

mandel_c_render_fn mandel_c_avx512_kernel(int vectors, int check_every) {
#define LOOKUP(V, K)                                                                                                   \
    if (vectors == V && check_every == K)                                                                              \
        return avx512_v##V##_k##K;
    MANDEL_C_AVX512_TUNINGS(LOOKUP)
    return NULL;
}
#else
mandel_c_render_fn mandel_c_avx512_kernel(int vectors, int check_every) {
    (void)vectors;
    (void)check_every;
    return NULL;
}
#endif
