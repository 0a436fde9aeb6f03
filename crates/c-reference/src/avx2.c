/*
 * The C reference's AVX2+FMA path: 8 lanes, the Rust AVX2 step (crates/simd/src/avx2.rs): a sticky
 * "alive" mask subtracted from the counts, the real part as fmsub(re, re, im2 - cx) (bit for bit the
 * twin's fma(re, re, cx - im2) but for a NaN's sign and payload, see avx512.rs), 10 instructions a
 * step; the schedule of avx512.c (V vectors in flight, a check every K steps against the earliest
 * deadline). Taking the fmsub form
 * from the Rust step changed nothing measurable here (MEASUREMENTS.md, "Other changes"): GCC
 * already reads cx and cy as memory operands.
 */
#include "mandel.h"

#if MANDEL_X86
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2,fma")))

typedef struct {
    __m256 re, im, cx, cy;
    __m256i n;
    __m256 alive; /* all ones in the lanes that have never escaped */
    size_t first;
    uint64_t started;
} vec8;

static AVX2 INLINE void start8(vec8 *x, const mandel_c_view *v, mandel_c_cursor *c, uint64_t step) {
    x->first = c->next;
    if (c->col + 8 <= v->width && c->next + 8 <= c->len) {
        const __m256d col = _mm256_set1_pd((double)c->col), dx = _mm256_set1_pd(v->dx);
        const __m256d x_min = _mm256_set1_pd(v->x_min);
        const __m256d lo = _mm256_add_pd(col, _mm256_setr_pd(0, 1, 2, 3));
        const __m256d hi = _mm256_add_pd(col, _mm256_setr_pd(4, 5, 6, 7));
        const __m128 xlo = _mm256_cvtpd_ps(_mm256_add_pd(x_min, _mm256_mul_pd(lo, dx)));
        const __m128 xhi = _mm256_cvtpd_ps(_mm256_add_pd(x_min, _mm256_mul_pd(hi, dx)));
        x->cx = _mm256_insertf128_ps(_mm256_castps128_ps256(xlo), xhi, 1);
        x->cy = _mm256_set1_ps(y_at(v, c->row));
    } else {
        float cx[8], cy[8];
        mandel_c_points_slow(v, c, 8, cx, cy);
        x->cx = _mm256_loadu_ps(cx);
        x->cy = _mm256_loadu_ps(cy);
    }
    advance(c, v->width, 8);
    x->re = x->im = _mm256_setzero_ps();
    x->n = _mm256_setzero_si256();
    x->alive = _mm256_castsi256_ps(_mm256_set1_epi32(-1));
    x->started = step;
}

/* One step: the Rust AVX2 step (crates/simd/src/avx2.rs). `alive` is
 * sticky (an AND) and a live lane (all ones, -1) is subtracted from its count; escaped lanes go on
 * iterating (z overflows, then turns NaN) but never count again. */
static AVX2 INLINE void step8(vec8 *x, __m256 four) {
    const __m256 im2 = _mm256_mul_ps(x->im, x->im);
    __m256 u = _mm256_sub_ps(im2, x->cx);
    KEEP(u);
    const __m256 mag = _mm256_fmadd_ps(x->re, x->re, im2);
    x->alive = _mm256_and_ps(x->alive, _mm256_cmp_ps(mag, four, _CMP_NGT_UQ));
    x->n = _mm256_sub_epi32(x->n, _mm256_castps_si256(x->alive));
    __m256 two_re = _mm256_add_ps(x->re, x->re);
    KEEP(two_re);
    x->re = _mm256_fmsub_ps(x->re, x->re, u);
    x->im = _mm256_fmadd_ps(two_re, x->im, x->cy);
}

static AVX2 INLINE void store8(const vec8 *x, uint32_t *out, size_t len, __m256i max) {
    if (x->first >= len)
        return;
    const __m256i counts = _mm256_min_epi32(x->n, max);
    if (len - x->first >= 8) {
        _mm256_storeu_si256((__m256i *)(out + x->first), counts);
    } else {
        uint32_t part[8];
        _mm256_storeu_si256((__m256i *)part, counts);
        mandel_c_store_part(out + x->first, part, len - x->first);
    }
}

/* The schedule of avx512.c's render_avx512, with the AVX2 vector. */
static AVX2 INLINE void render_avx2(const mandel_c_view *v, size_t start, uint32_t *out, size_t len, const int V,
                                    const int K) {
    mandel_c_cursor cur = {0, len, start / v->width, start % v->width};
    const uint64_t max_iters = v->max_iters;
    const __m256 four = _mm256_set1_ps(4.0f);
    const __m256i max = _mm256_set1_epi32((int)v->max_iters);
    vec8 x[MAX_VECTORS];
    uint64_t step = 0;

    EACH_VECTOR(V, j, start8(&x[j], v, &cur, 0));
    for (;;) {
        uint64_t deadline = x[0].started;
        EACH_VECTOR(V, j, deadline = x[j].started < deadline ? x[j].started : deadline);
        deadline += max_iters;
        for (;;) {
#pragma GCC unroll 1
            for (int s = 0; s < K; s++)
                EACH_VECTOR(V, j, step8(&x[j], four));
            step += K;
            int finished = step >= deadline;
            EACH_VECTOR(V, j, finished |= _mm256_testz_ps(x[j].alive, x[j].alive));
            if (finished)
                break;
        }
        int done = 1;
        EACH_VECTOR(V, j, {
            if (_mm256_testz_ps(x[j].alive, x[j].alive) || step - x[j].started >= max_iters) {
                store8(&x[j], out, len, max);
                start8(&x[j], v, &cur, step);
            }
            done &= x[j].first >= len;
        });
        if (done)
            return;
    }
}

/* One function per tuning, each with its constant V and K. */
#define INSTANTIATE(V, K)                                                                                              \
    static AVX2 void avx2_v##V##_k##K(const mandel_c_view *v, size_t start, uint32_t *out, size_t len) {              \
        render_avx2(v, start, out, len, V, K);                                                                         \
    }
MANDEL_C_AVX2_TUNINGS(INSTANTIATE)

mandel_c_render_fn mandel_c_avx2_kernel(int vectors, int check_every) {
#define LOOKUP(V, K)                                                                                                   \
    if (vectors == V && check_every == K)                                                                              \
        return avx2_v##V##_k##K;
    MANDEL_C_AVX2_TUNINGS(LOOKUP)
    return NULL;
}
#else
mandel_c_render_fn mandel_c_avx2_kernel(int vectors, int check_every) {
    (void)vectors;
    (void)check_every;
    return NULL;
}
#endif
