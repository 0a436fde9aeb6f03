/*
 * The escape loop of the Rust SIMD rung (`simd-f32`, crates/simd), hand-written in C intrinsics: the
 * reference the Rust rung is measured against. Same points, same operations in the same order, so
 * the counts are equal bit for bit; the crate's Rust side (src/lib.rs) wraps it.
 *
 * Paths, chosen at run time (no -march: each function carries its target attribute):
 *   AVX-512F   16 lanes, escaped lanes frozen by merge-masked FMAs, counted by a masked add
 *              (8 instructions a step, as crates/simd/src/avx512.rs);
 *   AVX2+FMA   8 lanes, a sticky "alive" mask subtracted from the counts (10 instructions a step);
 *   scalar     one pixel at a time with fmaf, for CPUs without AVX2+FMA.
 *
 * The SIMD loops keep V vectors of consecutive pixels in flight (independent FMA chains to hide
 * their latency) and check every K steps whether one has finished: every lane escaped, or
 * max_iters steps since it started. A finished vector stores its counts (capped at max_iters) and
 * takes the next pixels. Each (V, K) of the *_TUNINGS lists below is its own function.
 *
 * Must be compiled with -ffp-contract=off: GCC would otherwise fuse `a*b + c` (intrinsics too)
 * into FMAs in the AVX2/AVX-512 functions and change the roundings.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if !defined(__GNUC__)
#error "mandel.c needs GCC or Clang (target attributes, __builtin_cpu_supports)"
#endif

#if defined(__x86_64__)
#include <immintrin.h>
#define MANDEL_X86 1
#else
#define MANDEL_X86 0
#endif

/* Paths and return codes: the same numbers as in src/lib.rs. */
enum { MANDEL_C_SCALAR = 0, MANDEL_C_AVX2 = 1, MANDEL_C_AVX512 = 2 };
enum { MANDEL_C_OK = 0, MANDEL_C_NO_ISA = -1, MANDEL_C_NO_TUNING = -2, MANDEL_C_BAD_VIEW = -3 };

/* The problem, as Rust's Params holds it (dx and dy computed there, never here). */
typedef struct {
    double x_min, dx, y_min, dy;
    size_t width;
    uint32_t max_iters;
} mandel_c_view;

/* Pixel c, computed in double as a product (Params::x_at / y_at), then rounded once to float. */
static inline float x_at(const mandel_c_view *v, size_t col) { return (float)(v->x_min + (double)col * v->dx); }
static inline float y_at(const mandel_c_view *v, size_t row) { return (float)(v->y_min + (double)row * v->dy); }

/* The point every padding lane (past the span's end) iterates: |c| > 2, so it escapes at once. */
#define PADDING_CX 4.0f

/* The span's pixels handed out in order: the next one (span-relative) and its row and column. */
typedef struct {
    size_t next, len, row, col;
} cursor;

static inline void advance(cursor *c, size_t width, size_t pixels) {
    c->next += pixels;
    c->col += pixels;
    while (c->col >= width) { /* at most once unless the image is narrower than a vector */
        c->col -= width;
        c->row++;
    }
}

/* The points of `lanes` pixels from the cursor, one lane at a time: for a vector that straddles
 * rows or runs past the span's end. Out of line and cold, so the loops keep their registers. */
__attribute__((noinline, cold)) static void points_slow(const mandel_c_view *v, const cursor *c, int lanes, float *cx,
                                                         float *cy) {
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

/* The last, partial vector of a span: only its first `count` counts are pixels. */
__attribute__((noinline, cold)) static void store_part(uint32_t *out, const uint32_t *counts, size_t count) {
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

/* (vectors in flight, steps between checks): each pair is one function of its path; lib.rs lists
 * the same pairs. Only vector counts whose hot loop stores nothing to the stack are kept (checked
 * with objdump, GCC 12): all of them on AVX-512 (32 registers), 2 and 3 on AVX2 (16 registers; 4
 * spilled, and ran slower than 3). */
#define AVX512_TUNINGS(X) X(2, 4) X(2, 8) X(3, 4) X(3, 8) X(4, 4) X(4, 8) X(6, 4) X(6, 8) X(8, 4) X(8, 8)
#define AVX2_TUNINGS(X) X(2, 4) X(2, 8) X(3, 4) X(3, 8)
#define MAX_VECTORS 8

#if MANDEL_X86
#define AVX512 __attribute__((target("avx512f")))
#define AVX2 __attribute__((target("avx2,fma")))
#define INLINE inline __attribute__((always_inline))

/* Makes `x` computed here, in a register. GCC otherwise computes a value used once (t, two_re)
 * right before its use, after the update of re it was computed from in the source, which costs a
 * register copy of re every step (12 instructions a step instead of 8 on AVX-512). */
#define KEEP(x) __asm__("" : "+v"(x))

/* Runs `stmt` with j = 0, 1, .., V - 1 (V <= MAX_VECTORS, a constant) as straight-line code: no
 * loop for the compiler to keep (Clang kept `#pragma unroll`ed ones, with the vectors on the
 * stack), so each vector's state is its own registers. Crates/simd's `unrolled!` does the same. */
#define EACH_VECTOR(V, j, stmt)                                                                                        \
    do {                                                                                                               \
        EACH_1(V, j, 0, stmt) EACH_1(V, j, 1, stmt) EACH_1(V, j, 2, stmt) EACH_1(V, j, 3, stmt)                        \
        EACH_1(V, j, 4, stmt) EACH_1(V, j, 5, stmt) EACH_1(V, j, 6, stmt) EACH_1(V, j, 7, stmt)                        \
    } while (0)
#define EACH_1(V, j, i, stmt)                                                                                          \
    if ((i) < (V)) {                                                                                                   \
        const int j = (i);                                                                                             \
        stmt;                                                                                                          \
    }

/* ------------------------------------------------------------------------------------------------
 * AVX-512F: 16 lanes.
 */

/* One vector of 16 consecutive pixels in flight. */
typedef struct {
    __m512 re, im, cx, cy;
    __m512i n;       /* steps taken while inside: the counts */
    __mmask16 alive; /* lanes inside at the last step */
    size_t first;    /* its first pixel (span-relative; >= len: padding only) */
    uint64_t started; /* the step it started at */
} vec16;

/* Give `x` the next 16 pixels of the span (padding past its end), starting at step `step`. */
static AVX512 INLINE void start16(vec16 *x, const mandel_c_view *v, cursor *c, uint64_t step) {
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
        points_slow(v, c, 16, cx, cy);
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
 * inside = !(mag > 4), unordered: a NaN goes on, as in Rust. Escaped lanes are frozen (merge-masked
 * FMAs keep their z, so they stay outside) and stop counting (masked n - (-1), which GCC keeps in
 * place where it copies n around a masked n + 1). */
static AVX512 INLINE void step16(vec16 *x, __m512 four, __m512i minus_one) {
    __m512 im2 = _mm512_mul_ps(x->im, x->im);
    __m512 t = _mm512_sub_ps(x->cx, im2);
    KEEP(t);
    const __m512 mag = _mm512_fmadd_ps(x->re, x->re, im2);
    const __mmask16 inside = _mm512_cmp_ps_mask(mag, four, _CMP_NGT_UQ);
    __m512 two_re = _mm512_add_ps(x->re, x->re);
    KEEP(two_re);
    x->re = _mm512_mask_fmadd_ps(x->re, inside, x->re, t);
    x->im = _mm512_mask_fmadd_ps(x->im, inside, two_re, x->cy);
    x->n = _mm512_mask_sub_epi32(x->n, inside, x->n, minus_one);
    x->alive = inside;
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
        store_part(out + x->first, part, len - x->first);
    }
}

static AVX512 INLINE void render_avx512(const mandel_c_view *v, size_t start, uint32_t *out, size_t len, const int V,
                                        const int K) {
    cursor cur = {0, len, start / v->width, start % v->width};
    const uint64_t max_iters = v->max_iters;
    const __m512 four = _mm512_set1_ps(4.0f);
    const __m512i max = _mm512_set1_epi32((int)v->max_iters);
    /* Hidden from the optimiser, as in Rust: Clang turns a masked subtract of a known -1 into a
     * mask-to-vector and a subtract, one instruction more. */
    __m512i minus_one = _mm512_set1_epi32(-1);
    KEEP(minus_one);
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

/* ------------------------------------------------------------------------------------------------
 * AVX2 + FMA: 8 lanes.
 */

typedef struct {
    __m256 re, im, cx, cy;
    __m256i n;
    __m256 alive; /* all ones in the lanes that have never escaped */
    size_t first;
    uint64_t started;
} vec8;

static AVX2 INLINE void start8(vec8 *x, const mandel_c_view *v, cursor *c, uint64_t step) {
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
        points_slow(v, c, 8, cx, cy);
        x->cx = _mm256_loadu_ps(cx);
        x->cy = _mm256_loadu_ps(cy);
    }
    advance(c, v->width, 8);
    x->re = x->im = _mm256_setzero_ps();
    x->n = _mm256_setzero_si256();
    x->alive = _mm256_castsi256_ps(_mm256_set1_epi32(-1));
    x->started = step;
}

/* One step: the Rust portable step (crates/simd/src/lanes.rs, Orbit::step_portable). `alive` is
 * sticky (an AND) and a live lane (all ones, -1) is subtracted from its count; escaped lanes go on
 * iterating (z overflows, then turns NaN) but never count again. */
static AVX2 INLINE void step8(vec8 *x, __m256 four) {
    const __m256 im2 = _mm256_mul_ps(x->im, x->im);
    __m256 t = _mm256_sub_ps(x->cx, im2);
    KEEP(t);
    const __m256 mag = _mm256_fmadd_ps(x->re, x->re, im2);
    x->alive = _mm256_and_ps(x->alive, _mm256_cmp_ps(mag, four, _CMP_NGT_UQ));
    x->n = _mm256_sub_epi32(x->n, _mm256_castps_si256(x->alive));
    __m256 two_re = _mm256_add_ps(x->re, x->re);
    KEEP(two_re);
    x->re = _mm256_fmadd_ps(x->re, x->re, t);
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
        store_part(out + x->first, part, len - x->first);
    }
}

/* render_avx512 with the AVX2 vector: the same schedule. */
static AVX2 INLINE void render_avx2(const mandel_c_view *v, size_t start, uint32_t *out, size_t len, const int V,
                                    const int K) {
    cursor cur = {0, len, start / v->width, start % v->width};
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

typedef void (*render_fn)(const mandel_c_view *, size_t, uint32_t *, size_t);

/* One function per path and tuning, each with its constant V and K. */
#define INSTANTIATE_AVX512(V, K)                                                                                       \
    static AVX512 void avx512_v##V##_k##K(const mandel_c_view *v, size_t start, uint32_t *out, size_t len) {          \
        render_avx512(v, start, out, len, V, K);                                                                       \
    }
#define INSTANTIATE_AVX2(V, K)                                                                                         \
    static AVX2 void avx2_v##V##_k##K(const mandel_c_view *v, size_t start, uint32_t *out, size_t len) {              \
        render_avx2(v, start, out, len, V, K);                                                                         \
    }
AVX512_TUNINGS(INSTANTIATE_AVX512)
AVX2_TUNINGS(INSTANTIATE_AVX2)

static render_fn simd_kernel(int isa, int vectors, int check_every) {
#define LOOKUP_AVX512(V, K)                                                                                            \
    if (isa == MANDEL_C_AVX512 && vectors == V && check_every == K)                                                    \
        return avx512_v##V##_k##K;
#define LOOKUP_AVX2(V, K)                                                                                              \
    if (isa == MANDEL_C_AVX2 && vectors == V && check_every == K)                                                      \
        return avx2_v##V##_k##K;
    AVX512_TUNINGS(LOOKUP_AVX512)
    AVX2_TUNINGS(LOOKUP_AVX2)
    return NULL;
}
#endif /* MANDEL_X86 */

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
 * path's *_TUNINGS, MANDEL_C_BAD_VIEW if width or max_iters is 0 or max_iters does not fit an int. */
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
#if MANDEL_X86
    const render_fn kernel = simd_kernel(isa, vectors, check_every);
    if (kernel == NULL)
        return MANDEL_C_NO_TUNING;
    if (len > 0)
        kernel(view, start, out, len);
    return MANDEL_C_OK;
#else
    (void)vectors;
    (void)check_every;
    return MANDEL_C_NO_ISA;
#endif
}
