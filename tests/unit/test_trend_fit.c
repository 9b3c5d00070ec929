/* Unit tests for query/trend_fit.c: the least-squares line, its R², and the score that ranks steady growth first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "query/trend_fit.h"

static const double t5[] = { 1, 2, 3, 4, 5 };

static void test_textbook(void **state)
{
        (void)state;
        /* the textbook example: x 1..5, y 2 4 5 4 5 gives y = 2.2 + 0.6 x with r² = 36 / (10 * 6) = 0.6 */
        const int64_t y[] = { 2, 4, 5, 4, 5 };
        struct trend_fit f = trend_fit_line(t5, y, 5);
        assert_float_equal(f.slope, 0.6, 1e-12);
        assert_float_equal(f.r2, 0.6, 1e-12);
        assert_float_equal(f.score, 0.36, 1e-12);
}

static void test_exact_line(void **state)
{
        (void)state;
        /* uneven times, bytes near 2^40: the centred sums keep every digit that matters */
        const double t[] = { 0, 60, 65, 600, 3600 };
        int64_t y[5];
        for (int i = 0; i < 5; i++)
                y[i] = ((int64_t)1 << 40) + 1000 * (int64_t)t[i];
        struct trend_fit f = trend_fit_line(t, y, 5);
        assert_float_equal(f.slope, 1000, 1e-6);
        assert_float_equal(f.r2, 1, 1e-12);
}

static void test_flat_and_short(void **state)
{
        (void)state;
        const int64_t flat[] = { 7, 7, 7, 7, 7 };
        struct trend_fit f = trend_fit_line(t5, flat, 5);
        assert_true(f.slope == 0 && f.r2 == 0 && f.score == 0);
        /* one point, or every point at one time: no line */
        f = trend_fit_line(t5, flat, 1);
        assert_true(f.slope == 0 && f.r2 == 0);
        const double same[] = { 3, 3, 3 };
        const int64_t y[] = { 1, 2, 3 };
        f = trend_fit_line(same, y, 3);
        assert_true(f.slope == 0 && f.r2 == 0);
}

static void test_steady_ranks_first(void **state)
{
        (void)state;
        const double t[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
        /* a leak of 100 a step; a cache filled once with 500; a sawtooth of the same size; a shrinking class */
        const int64_t leak[] = { 0, 100, 200, 300, 400, 500, 600, 700 };
        const int64_t jump[] = { 0, 500, 500, 500, 500, 500, 500, 500 };
        const int64_t saw[] = { 0, 700, 0, 700, 0, 700, 0, 700 };
        const int64_t shrink[] = { 700, 600, 500, 400, 300, 200, 100, 0 };
        struct trend_fit fl = trend_fit_line(t, leak, 8), fj = trend_fit_line(t, jump, 8),
                         fs = trend_fit_line(t, saw, 8), fd = trend_fit_line(t, shrink, 8);
        assert_float_equal(fl.r2, 1, 1e-12);
        assert_true(fj.r2 < 0.5 && fs.r2 < 0.2);
        assert_true(fl.score > fj.score && fj.score > fs.score);
        /* the last step of the jump and the saw are as big as the leak's whole rise, first vs last would tie them */
        assert_true(fd.slope < 0 && fd.score < 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_textbook),
                cmocka_unit_test(test_exact_line),
                cmocka_unit_test(test_flat_and_short),
                cmocka_unit_test(test_steady_ranks_first),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
