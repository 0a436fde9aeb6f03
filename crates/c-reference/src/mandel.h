/*
 * What the C reference's files share (mandel.c: the scalar path and the dispatch; avx512.c and
 * avx2.c: the SIMD paths, each compiled with its own flags, see build.rs).
 *
 * Every file must be compiled with -ffp-contract=off: GCC would otherwise fuse `a*b + c`
 * (intrinsics too) into FMAs in the AVX2/AVX-512 functions and change the roundings.
 */
#ifndef MANDEL_C_H
#define MANDEL_C_H

#include <stddef.h>
#include <stdint.h>

#if !defined(__GNUC__)
#error "the C reference needs GCC or Clang (target attributes, __builtin_cpu_supports)"
#endif

#if defined(__x86_64__)
#define MANDEL_X86 1
#else
#define MANDEL_X86 0
#endif

/* Paths and return codes: the same numbers as in lib.rs. */
enum { MANDEL_C_SCALAR = 0, MANDEL_C_AVX2 = 1, MANDEL_C_AVX512 = 2 };
enum { MANDEL_C_OK = 0, MANDEL_C_NO_ISA = -1, MANDEL_C_NO_TUNING = -2, MANDEL_C_BAD_VIEW = -3 };

/* The problem, as Rust's Params holds it (dx and dy computed there, never here). */
typedef struct {
    double x_min, dx, y_min, dy;
    size_t width;
    uint32_t max_iters;
} mandel_c_view;

/* A render of pixels start .. start+len into out[0 .. len]. */
typedef void (*mandel_c_render_fn)(const mandel_c_view *v, size_t start, uint32_t *out, size_t len);

/* (vectors in flight, steps between checks): MANDEL_C_AVX512_TUNINGS(X) and MANDEL_C_AVX2_TUNINGS(X)
 * expand X(V, K) for each pair of the path, one function each, and MAX_VECTORS is the largest V.
 * build.rs generates them from its one list (which lib.rs's constants come from too). */
#include "tunings.h"

/* The entry points (mandel.c), called from lib.rs: the widest path the CPU supports, and a render. */
int mandel_c_best_isa(void);
int mandel_c_render_f32(int isa, int vectors, int check_every, const mandel_c_view *view, size_t start, uint32_t *out,
                        size_t len);

/* The kernel of the pair, or NULL if it is not instantiated (avx512.c, avx2.c). */
mandel_c_render_fn mandel_c_avx512_kernel(int vectors, int check_every);
mandel_c_render_fn mandel_c_avx2_kernel(int vectors, int check_every);

/* Pixel c, computed in double as a product (Params::x_at / y_at), then rounded once to float. */
static inline float x_at(const mandel_c_view *v, size_t col) { return (float)(v->x_min + (double)col * v->dx); }
static inline float y_at(const mandel_c_view *v, size_t row) { return (float)(v->y_min + (double)row * v->dy); }

/* The span's pixels handed out in order: the next one (span-relative) and its row and column. */
typedef struct {
    size_t next, len, row, col;
} mandel_c_cursor;

static inline void advance(mandel_c_cursor *c, size_t width, size_t pixels) {
    c->next += pixels;
    c->col += pixels;
    while (c->col >= width) { /* at most once unless the image is narrower than a vector */
        c->col -= width;
        c->row++;
    }
}

/* The points of `lanes` pixels from the cursor, one lane at a time, padding past the span's end
 * (c = 4 + 0i: it escapes at once): for a vector that straddles rows or the span's end. Out of
 * line and cold (mandel.c), so the SIMD loops keep their registers. */
void mandel_c_points_slow(const mandel_c_view *v, const mandel_c_cursor *c, int lanes, float *cx, float *cy);

/* The last, partial vector of a span: only its first `count` counts are pixels. Out of line, cold. */
void mandel_c_store_part(uint32_t *out, const uint32_t *counts, size_t count);

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

#endif
