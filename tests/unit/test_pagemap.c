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
        assert_int_equal(pagemap_walk(&pm, BASE, BASE + 8 * PS, true, collect, &r), 0);
        assert_int_equal(r.n, 5);
        assert_true(r.v[0].start == BASE && r.v[0].end == BASE + 2 * PS && r.v[0].st == PAGE_PRESENT);
        assert_true(r.v[1].start == BASE + 2 * PS && r.v[1].end == BASE + 3 * PS && r.v[1].st == PAGE_ABSENT);
        assert_true(r.v[2].end == BASE + 5 * PS && r.v[2].st == PAGE_SWAPPED);
        assert_true(r.v[3].end == BASE + 6 * PS && r.v[3].st == PAGE_PRESENT);
        assert_true(r.v[4].end == BASE + 8 * PS && r.v[4].st == PAGE_ABSENT);

        /* A sub-range starts and ends mid-run. */
        r.n = 0;
        assert_int_equal(pagemap_walk(&pm, BASE + PS, BASE + 4 * PS, true, collect, &r), 0);
        assert_int_equal(r.n, 3);
        assert_true(r.v[0].start == BASE + PS && r.v[0].end == BASE + 2 * PS);
        assert_true(r.v[2].start == BASE + 3 * PS && r.v[2].end == BASE + 4 * PS && r.v[2].st == PAGE_SWAPPED);

        enum page_state st;
        assert_int_equal(pagemap_page(&pm, BASE + 3 * PS + 17, true, &st), 0);
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
        assert_int_equal(pagemap_walk(&pm, BASE, BASE + 100, true, collect, &r), 0);
        assert_int_equal(r.n, 1);
        assert_true(r.v[0].start == BASE && r.v[0].end == BASE + 100 && r.v[0].st == PAGE_PRESENT);

        r.n = 0;
        assert_int_equal(pagemap_walk(&pm, BASE + PS + 8, BASE + 3 * PS + 1, true, collect, &r), 0);
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
        assert_int_equal(pagemap_walk(&pm, BASE, BASE + n * PS, true, collect, &r), 0);
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
        assert_int_equal(pagemap_walk(&pm, BASE, BASE + 8 * PS, true, stop_early, NULL), -ECANCELED);
        /* Past the end of the file reads nothing: what /proc gives once the mm is gone. */
        assert_int_equal(pagemap_walk(&pm, BASE + 8 * PS, BASE + 10 * PS, true, collect, &r), -ESRCH);
        pagemap_close(&pm);
}

/*
 * Swap-type entries, as the kernel encodes them for a reader with
 * CAP_SYS_ADMIN: type in bits 0-4, offset (swap slot or PFN) from bit 5.
 * The first is what pagemap showed on this machine for a page that
 * MADV_PAGEOUT had put in a swap file (type 0, slot 1025).
 */
#define SWAP_ENTRY(type, offset) (PAGEMAP_SWAPPED | ((uint64_t)(offset) << 5) | (type))
#define IN_SWAP_FILE 0x4000000000008020ull
/* include/linux/swap.h on 6.18 without DEVICE_PRIVATE or MEMORY_FAILURE: SWP_MIGRATION_READ..WRITE = 28..30 */
#define MIGRATION_6_18 SWAP_ENTRY(29, 0x1234567)
/* 6.1 with DEVICE_PRIVATE and MEMORY_FAILURE: MAX_SWAPFILES 22, SWP_HWPOISON 22, migration 23..25 */
#define MIGRATION_6_1 SWAP_ENTRY(23, 0x1234567)
#define HWPOISON_6_1 SWAP_ENTRY(22, 0x7654321)
/* 6.5+: SWP_PTE_MARKER 31, PTE_MARKER_UFFD_WP 1 (PM_UFFD_WP, bit 57, set too) */
#define UFFD_WP_MARKER (SWAP_ENTRY(31, 1) | (1ull << 57))
#define GUARD_MARKER (SWAP_ENTRY(31, 4) | PAGEMAP_GUARD_REGION)
#define TYPE_HIDDEN PAGEMAP_SWAPPED /* what a reader without CAP_SYS_ADMIN sees for any of them */

static void test_swap_types(void **state)
{
        (void)state;
        assert_int_equal(IN_SWAP_FILE, SWAP_ENTRY(0, 1025));

        /* Not swap-type at all. */
        assert_int_equal(pagemap_state(0, 1, true), PAGE_ABSENT);
        assert_int_equal(pagemap_state(PAGEMAP_FILE_OR_SHARED, 1, true), PAGE_ABSENT);
        assert_int_equal(pagemap_state(PAGEMAP_PRESENT | 0x12345, 0, false), PAGE_PRESENT);

        /* A machine without swap: nothing is in swap, whatever the entry says. */
        assert_int_equal(pagemap_state(IN_SWAP_FILE, 0, true), PAGE_MOVING);
        assert_int_equal(pagemap_state(MIGRATION_6_18, 0, true), PAGE_MOVING);
        assert_int_equal(pagemap_state(TYPE_HIDDEN, 0, true), PAGE_MOVING);

        /* With swap: the type decides. */
        assert_int_equal(pagemap_state(IN_SWAP_FILE, 1, true), PAGE_SWAPPED);
        assert_int_equal(pagemap_state(SWAP_ENTRY(21, 99), 1, false), PAGE_SWAPPED);
        assert_int_equal(pagemap_state(MIGRATION_6_18, 1, true), PAGE_MOVING);
        assert_int_equal(pagemap_state(MIGRATION_6_1, 3, true), PAGE_MOVING);
        assert_int_equal(pagemap_state(HWPOISON_6_1, 3, true), PAGE_MOVING);
        assert_int_equal(pagemap_state(UFFD_WP_MARKER, 3, true), PAGE_MOVING);
        /* A guard region is no page to read, swap or not. */
        assert_int_equal(pagemap_state(GUARD_MARKER, 0, true), PAGE_GUARD);
        assert_int_equal(pagemap_state(GUARD_MARKER, 2, true), PAGE_GUARD);

        /* /proc/swaps unreadable: the type still decides. */
        assert_int_equal(pagemap_state(IN_SWAP_FILE, PAGEMAP_SWAP_AREAS_UNKNOWN, true), PAGE_SWAPPED);
        assert_int_equal(pagemap_state(MIGRATION_6_18, PAGEMAP_SWAP_AREAS_UNKNOWN, true), PAGE_MOVING);

        /* More areas than 22: a high type may be one of them, so it is not read. */
        assert_int_equal(pagemap_state(SWAP_ENTRY(24, 5), 23, true), PAGE_SWAPPED);
        assert_int_equal(pagemap_state(SWAP_ENTRY(24, 5), 22, true), PAGE_MOVING);

        /* The type hidden (no CAP_SYS_ADMIN): the mapping's smaps Swap decides. */
        assert_int_equal(pagemap_state(TYPE_HIDDEN, 1, true), PAGE_SWAPPED);
        assert_int_equal(pagemap_state(TYPE_HIDDEN, 1, false), PAGE_MOVING);
        assert_int_equal(pagemap_state(TYPE_HIDDEN | PAGEMAP_FILE_OR_SHARED, 1, false), PAGE_MOVING);
}

/* A walk over a migrating page and a page in a swap file, with swap and without. */
static uint64_t migrating_layout(size_t i)
{
        static const uint64_t v[] = { PAGEMAP_PRESENT, MIGRATION_6_18, PAGEMAP_PRESENT, IN_SWAP_FILE };
        return v[i];
}

static void test_walk_no_swap(void **state)
{
        (void)state;
        struct pagemap pm = PAGEMAP_INIT;
        struct runs r = { 0 };

        assert_int_equal(pagemap_open_fd(&pm, make_map(4, migrating_layout), PS), 0);
        assert_int_equal(pm.swap_areas, PAGEMAP_SWAP_AREAS_UNKNOWN);
        assert_int_equal(pagemap_walk(&pm, BASE, BASE + 4 * PS, true, collect, &r), 0);
        assert_int_equal(r.n, 4);
        assert_int_equal(r.v[1].st, PAGE_MOVING);
        assert_int_equal(r.v[3].st, PAGE_SWAPPED);

        pm.swap_areas = 0;
        r.n = 0;
        assert_int_equal(pagemap_walk(&pm, BASE, BASE + 4 * PS, true, collect, &r), 0);
        assert_int_equal(r.n, 4);
        assert_true(r.v[0].end == BASE + PS && r.v[1].st == PAGE_MOVING && r.v[1].end == BASE + 2 * PS);
        assert_true(r.v[2].st == PAGE_PRESENT && r.v[3].st == PAGE_MOVING && r.v[3].end == BASE + 4 * PS);
        pagemap_close(&pm);
}

/* /proc/swaps: a header, then one line per area. */
static void test_swap_areas(void **state)
{
        (void)state;
        static const char none[] = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n";
        static const char one[] = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
                                  "/var/tmp/swap                           file\t\t65532\t\t0\t\t-2\n";
        static const char two[] = "Filename Type Size Used Priority\n/dev/sda2 partition 1000 0 -2\n"
                                  "/swapfile file 2000 12 -3";
        assert_int_equal(pagemap_swap_areas_parse(none, strlen(none)), 0);
        assert_int_equal(pagemap_swap_areas_parse(one, strlen(one)), 1);
        assert_int_equal(pagemap_swap_areas_parse(two, strlen(two)), 2);
        assert_int_equal(pagemap_swap_areas_parse("", 0), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_runs),
                cmocka_unit_test(test_unaligned),
                cmocka_unit_test(test_slices),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_swap_types),
                cmocka_unit_test(test_walk_no_swap),
                cmocka_unit_test(test_swap_areas),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
