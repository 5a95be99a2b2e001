/* The hardware floor of float64 Euclidean DTW in the lanes: one square root per DP cell.
 * Measures the throughput of vsqrtpd on 256-bit vectors (8 independent chains, so latency is
 * hidden) and of scalar vsqrtsd, in ns per double.
 *
 *     gcc -O2 -mavx2 benchmarks/sqrt_floor.c -o sqrt_floor && ./sqrt_floor
 */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(void) {
    const long n = 20000000;
    __m256d x[8], acc[8];
    for (int i = 0; i < 8; i++) {
        x[i] = _mm256_set1_pd(1.0 + i * 0.37);
        acc[i] = _mm256_setzero_pd();
    }
    double best = 1e9;
    for (int rep = 0; rep < 5; rep++) {
        double t = now();
        for (long k = 0; k < n; k++) {
            for (int i = 0; i < 8; i++) acc[i] = _mm256_add_pd(acc[i], _mm256_sqrt_pd(x[i]));
            /* keep the inputs opaque so the square roots are not hoisted out of the loop */
            __asm__ volatile("" : "+x"(x[0]), "+x"(x[1]), "+x"(x[2]), "+x"(x[3]),
                                  "+x"(x[4]), "+x"(x[5]), "+x"(x[6]), "+x"(x[7]));
        }
        t = now() - t;
        if (t < best) best = t;
    }
    double sink[4];
    for (int i = 1; i < 8; i++) acc[0] = _mm256_add_pd(acc[0], acc[i]);
    _mm256_storeu_pd(sink, acc[0]);
    printf("vsqrtpd (4 doubles): %.3f ns per double\n", best / (n * 32.0) * 1e9);

    double s[8] = {1, 2, 3, 4, 5, 6, 7, 8}, total = 0;
    best = 1e9;
    for (int rep = 0; rep < 5; rep++) {
        double t = now();
        for (long k = 0; k < n; k++) {
            for (int i = 0; i < 8; i++) {
                double r;
                __asm__("vsqrtsd %1, %1, %0" : "=x"(r) : "x"(s[i]));
                total += r;
            }
            __asm__ volatile("" ::: "memory");
        }
        t = now() - t;
        if (t < best) best = t;
    }
    printf("vsqrtsd (scalar):    %.3f ns per double\n", best / (n * 8.0) * 1e9);
    printf("(checksums %g %g)\n", sink[0], total);
    return 0;
}
