/*
 * Unit tests for capture/pagemap.c: runs of page states from a file laid
 * out like /proc/PID/pagemap (one entry per page at offset page * 8),
 * across the walk's slice boundary, and the short read of a vanished mm.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture/pagemap.h"

#define PS 4096ull
#define BASE 0x7f0000000000ull

struct run {
        uint64_t start, end;
        enum page_state st;
};

struct runs {
        struct run v[64];
        int n;
};

static int collect(void *ud, uint64_t start, uint64_t end, enum page_state st)
{
        struct runs *r = ud;
        if (r->n >= 64)
                return -E2BIG;
        r->v[r->n++] = (struct run){ start, end, st };
        return 0;
}

/* A temp file with entry e(i) for the i-th page from BASE, pages [0, n). */
static int make_map(size_t n, uint64_t (*e)(size_t))
{
        char path[] = "/tmp/test-pagemap-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        unlink(path);
        uint64_t *buf = calloc(n, 8);
        for (size_t i = 0; i < n; i++)
                buf[i] = e(i);
        assert_int_equal(pwrite(fd, buf, n * 8, (off_t)(BASE / PS * 8)), (ssize_t)(n * 8));
        free(buf);
        return fd;
}

static uint64_t small_layout(size_t i)
{
        /* present present absent swapped swapped present(file) absent absent */
        static const uint64_t v[] = { PAGEMAP_PRESENT | 0x1234, PAGEMAP_PRESENT, 0, PAGEMAP_SWAPPED | 0x20,
                                      PAGEMAP_SWAPPED, PAGEMAP_PRESENT | PAGEMAP_FILE_OR_SHARED, 0, 0 };
        return v[i];
}

static void test_runs(void **state)
{
        (void)state;
        struct pagemap pm = PAGEMAP_INIT;
        struct runs r = { 0 };

        assert_int_equal(pagemap_open_fd(&pm, make_map(8, small_layout), PS), 0);
        assert_int_equal(pagemap_walk(&pm, BASE, BASE + 8 * PS, collect, &r), 0);
        assert_int_equal(r.n, 5);
        assert_true(r.v[0].start == BASE && r.v[0].end == BASE + 2 * PS && r.v[0].st == PAGE_PRESENT);
        assert_true(r.v[1].start == BASE + 2 * PS && r.v[1].end == BASE + 3 * PS && r.v[1].st == PAGE_ABSENT);
        assert_true(r.v[2].end == BASE + 5 * PS && r.v[2].st == PAGE_SWAPPED);
        assert_true(r.v[3].end == BASE + 6 * PS && r.v[3].st == PAGE_PRESENT);
        assert_true(r.v[4].end == BASE + 8 * PS && r.v[4].st == PAGE_ABSENT);

        /* A sub-range starts and ends mid-run. */
        r.n = 0;
        assert_int_equal(pagemap_walk(&pm, BASE + PS, BASE + 4 * PS, collect, &r), 0);
        assert_int_equal(r.n, 3);
        assert_true(r.v[0].start == BASE + PS && r.v[0].end == BASE + 2 * PS);
        assert_true(r.v[2].start == BASE + 3 * PS && r.v[2].end == BASE + 4 * PS && r.v[2].st == PAGE_SWAPPED);

        enum page_state st;
        assert_int_equal(pagemap_page(&pm, BASE + 3 * PS + 17, &st), 0);
        assert_int_equal(st, PAGE_SWAPPED);
        pagemap_close(&pm);
}

/* Ends and starts inside a page: the page counts, the runs are clipped, the walk ends. */
static void test_unaligned(void **state)
{
        (void)state;
        struct pagemap pm = PAGEMAP_INIT;
        struct runs r = { 0 };

        alarm(10); /* it used to loop for ever on a range shorter than a page */
        assert_int_equal(pagemap_open_fd(&pm, make_map(8, small_layout), PS), 0);
        assert_int_equal(pagemap_walk(&pm, BASE, BASE + 100, collect, &r), 0);
        assert_int_equal(r.n, 1);
        assert_true(r.v[0].start == BASE && r.v[0].end == BASE + 100 && r.v[0].st == PAGE_PRESENT);

        r.n = 0;
        assert_int_equal(pagemap_walk(&pm, BASE + PS + 8, BASE + 3 * PS + 1, collect, &r), 0);
        assert_int_equal(r.n, 3);
        assert_true(r.v[0].start == BASE + PS + 8 && r.v[0].end == BASE + 2 * PS && r.v[0].st == PAGE_PRESENT);
        assert_true(r.v[1].start == BASE + 2 * PS && r.v[1].end == BASE + 3 * PS && r.v[1].st == PAGE_ABSENT);
        assert_true(r.v[2].start == BASE + 3 * PS && r.v[2].end == BASE + 3 * PS + 1 && r.v[2].st == PAGE_SWAPPED);
        alarm(0);
        pagemap_close(&pm);
}

/* One run of present pages across the slice boundary, then a change after it. */
static uint64_t long_layout(size_t i)
{
        return i < PAGEMAP_SLICE_ENTRIES + 10 ? PAGEMAP_PRESENT : 0;
}

static void test_slices(void **state)
{
        (void)state;
        struct pagemap pm = PAGEMAP_INIT;
        struct runs r = { 0 };
        size_t n = PAGEMAP_SLICE_ENTRIES + 100;

        assert_int_equal(pagemap_open_fd(&pm, make_map(n, long_layout), PS), 0);
        assert_int_equal(pagemap_walk(&pm, BASE, BASE + n * PS, collect, &r), 0);
        assert_int_equal(r.n, 2);
        assert_true(r.v[0].start == BASE && r.v[0].end == BASE + (PAGEMAP_SLICE_ENTRIES + 10) * PS);
        assert_true(r.v[1].end == BASE + n * PS && r.v[1].st == PAGE_ABSENT);
        pagemap_close(&pm);
}

static int stop_early(void *ud, uint64_t start, uint64_t end, enum page_state st)
{
        (void)ud;
        (void)start;
        (void)end;
        return st == PAGE_ABSENT ? -ECANCELED : 0;
}

static void test_errors(void **state)
{
        (void)state;
        struct pagemap pm = PAGEMAP_INIT;
        struct runs r = { 0 };

        assert_int_equal(pagemap_open_fd(&pm, make_map(8, small_layout), PS), 0);
        /* The callback's error stops the walk and comes back. */
        assert_int_equal(pagemap_walk(&pm, BASE, BASE + 8 * PS, stop_early, NULL), -ECANCELED);
        /* Past the end of the file reads nothing: what /proc gives once the mm is gone. */
        assert_int_equal(pagemap_walk(&pm, BASE + 8 * PS, BASE + 10 * PS, collect, &r), -ESRCH);
        pagemap_close(&pm);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_runs),
                cmocka_unit_test(test_unaligned),
                cmocka_unit_test(test_slices),
                cmocka_unit_test(test_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
