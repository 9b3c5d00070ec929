/*
 * Unit tests for capture/dump_plan.c: from page states (a fake pagemap) and
 * mappings to the items that will be read, the holes, each PT_LOAD's
 * p_filesz, and the skipped ranges.  The file mapping is backed by a real
 * temporary file, found through its path and checked by inode.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture/dump_plan.h"
#include "common/cleanup.h"

#define PS 4096
#define P PAGEMAP_PRESENT
#define S PAGEMAP_SWAPPED

static void put(int fd, uint64_t addr, const uint64_t *e, size_t n)
{
        assert_int_equal(pwrite(fd, e, n * 8, (off_t)(addr / PS * 8)), (ssize_t)(n * 8));
}

struct fixture {
        char file[64];
        struct map_list maps;
        struct segment_plan plans[8];
        struct select_options o;
        struct pagemap pm;
        struct backing_files files;
        struct skip_list skips;
        struct dump_plan dp;
        int root_fd;
        uint8_t vdso[2 * PS];
};

static void setup(struct fixture *f, bool read_swapped)
{
        memset(f, 0, sizeof(*f));
        /* A 10000-byte file: two whole pages and part of a third. */
        strcpy(f->file, "/var/tmp/test-dump-plan-XXXXXX");
        int fd = mkstemp(f->file);
        assert_true(fd >= 0);
        char buf[10000];
        memset(buf, 'f', sizeof(buf));
        assert_int_equal(write(fd, buf, sizeof(buf)), (ssize_t)sizeof(buf));
        struct stat st;
        assert_int_equal(fstat(fd, &st), 0);
        close(fd);

        char smaps[2048];
        snprintf(smaps, sizeof(smaps),
                 "10000-18000 rw-p 00000000 00:00 0\nRss: 12 kB\nSwap: 4 kB\n"
                 "20000-25000 rw-p 00000000 %02x:%02x %llu %s\nRss: 4 kB\n"
                 "30000-32000 r-xp 00000000 00:00 0 [vdso]\nRss: 4 kB\n"
                 "40000-41000 ---p 00000000 00:00 0\nRss: 0 kB\n"
                 "50000-52000 rw-p 00000000 00:00 0\nRss: 0 kB\nSwap: 0 kB\n"
                 "60000-62000 rw-p 00000000 00:00 0\nRss: 8 kB\nSwap: 0 kB\n",
                 major(st.st_dev), minor(st.st_dev), (unsigned long long)st.st_ino, f->file);
        size_t bad;
        assert_int_equal(proc_maps_parse(smaps, strlen(smaps), &f->maps, &bad), 0);
        assert_int_equal(f->maps.n, 6);

        struct segment_facts facts[6];
        enum segment_kind kinds[6];
        segment_select_facts_fill(&f->maps, NULL, 0, SIZE_MAX, NULL, facts);
        segment_kind_classify(facts, 6, kinds);
        select_options_default(&f->o);
        segment_select(&f->maps, kinds, &f->o, f->plans);

        char pm_path[] = "/var/tmp/test-dump-plan-pm-XXXXXX";
        int pm = mkstemp(pm_path);
        assert_true(pm >= 0);
        unlink(pm_path);
        put(pm, 0x10000, (uint64_t[]){ P, P, 0, 0, S, P, 0, 0 }, 8);
        put(pm, 0x20000, (uint64_t[]){ P, 0, 0, 0, 0 }, 5);
        put(pm, 0x30000, (uint64_t[]){ P, 0 }, 2);
        /* 0x60000: no entries written (all absent): smaps's full Rss must be trusted. */
        assert_int_equal(pagemap_open_fd(&f->pm, pm, PS), 0);

        /* A folder without map_files: the path is used, checked by inode. */
        f->root_fd = open("/", O_RDONLY | O_DIRECTORY);
        f->files = (struct backing_files)BACKING_FILES_INIT;
        f->files.proc_fd = f->root_fd;

        memset(f->vdso, 'v', sizeof(f->vdso));
        struct dump_plan_input in = {
                .maps = &f->maps, .plans = f->plans, .select = &f->o, .pagemap = &f->pm, .files = &f->files,
                .skips = &f->skips, .read_swapped = read_swapped, .page_size = PS, .own_vdso = f->vdso,
                .own_vdso_len = sizeof(f->vdso),
        };
        assert_int_equal(dump_plan_build(&f->dp, &in), 0);
}

static void teardown(struct fixture *f)
{
        dump_plan_free(&f->dp);
        skip_list_free(&f->skips);
        backing_files_close(&f->files);
        pagemap_close(&f->pm);
        map_list_free(&f->maps);
        close(f->root_fd);
        unlink(f->file);
}

static const struct dump_item *item(const struct fixture *f, size_t i) { return &f->dp.v[i]; }

static void test_plan(void **state)
{
        (void)state;
        struct fixture f;
        setup(&f, false);

        /* Anonymous: two present runs read, the swapped page skipped, the untouched tail cut. */
        assert_true(item(&f, 0)->addr == 0x10000 && item(&f, 0)->len == 0x2000 && item(&f, 0)->src == DUMP_SRC_MEMORY);
        assert_true(item(&f, 1)->addr == 0x15000 && item(&f, 1)->len == 0x1000);
        assert_int_equal(f.dp.filesz[0], 0x6000);

        /* File: the present page from memory, the absent ones from the file up to its end. */
        assert_true(item(&f, 2)->addr == 0x20000 && item(&f, 2)->src == DUMP_SRC_MEMORY);
        assert_true(item(&f, 3)->addr == 0x21000 && item(&f, 3)->len == 0x2000 && item(&f, 3)->src == DUMP_SRC_FILE);
        assert_int_equal(item(&f, 3)->file_off, 0x1000);
        assert_int_equal(f.files.v[item(&f, 3)->file].fd >= 0, 1);
        assert_int_equal(f.dp.filesz[1], 0x3000);

        /* The vDSO's untouched page comes from our own copy. */
        assert_true(item(&f, 4)->addr == 0x30000 && item(&f, 4)->src == DUMP_SRC_MEMORY);
        assert_true(item(&f, 5)->addr == 0x31000 && item(&f, 5)->src == DUMP_SRC_LOCAL);
        assert_ptr_equal(item(&f, 5)->data, f.vdso + PS);
        assert_int_equal(f.dp.filesz[2], 0x2000);

        /* Guard and untouched anonymous memory: nothing.  Fully resident: taken whole. */
        assert_int_equal(f.dp.filesz[3], 0);
        assert_int_equal(f.dp.filesz[4], 0);
        assert_true(item(&f, 6)->addr == 0x60000 && item(&f, 6)->len == 0x2000);
        assert_int_equal(f.dp.filesz[5], 0x2000);
        assert_int_equal(f.dp.n, 7);
        assert_int_equal(f.dp.memory_bytes, 0x2000 + 0x1000 + 0x1000 + 0x1000 + 0x2000);
        assert_int_equal(f.dp.file_bytes, 0x2000);

        /* What was left out, and why. */
        assert_int_equal(skip_list_bytes(&f.skips, SKIP_SWAPPED), 0x1000);
        assert_int_equal(skip_list_bytes(&f.skips, SKIP_BEYOND_EOF), 0x2000);
        assert_int_equal(skip_list_bytes(&f.skips, SKIP_GUARD), 0x1000);
        teardown(&f);
}

static void test_read_swapped(void **state)
{
        (void)state;
        struct fixture f;
        setup(&f, true);
        /* With --read-swapped the swapped page is read like a present one. */
        assert_true(item(&f, 1)->addr == 0x14000 && item(&f, 1)->len == 0x1000 && item(&f, 1)->src == DUMP_SRC_MEMORY);
        assert_true(item(&f, 2)->addr == 0x15000 && item(&f, 2)->len == 0x1000);
        assert_int_equal(f.dp.memory_bytes, 0x2000 + 0x2000 + 0x1000 + 0x1000 + 0x2000);
        assert_int_equal(skip_list_bytes(&f.skips, SKIP_SWAPPED), 0);
        teardown(&f);
}

/*
 * A machine with no swap: a swap-type entry is a page under migration and
 * is read, but not in a userfaultfd range (the read could wait for the
 * stopped target's handler); a guard region is listed as such.
 */
static void test_not_in_swap(void **state)
{
        (void)state;
        /* include/linux/swap.h on 6.18: SWP_MIGRATION_WRITE 30, pfn 0x4321 */
        const uint64_t M = PAGEMAP_SWAPPED | (0x4321ull << 5) | 30;
        const uint64_t G = PAGEMAP_SWAPPED | PAGEMAP_GUARD_REGION | (4ull << 5) | 31;
        static const char smaps[] = "10000-14000 rw-p 00000000 00:00 0\nRss: 12 kB\nSwap: 0 kB\nVmFlags: rd wr mr mw me ac \n"
                                    "20000-23000 rw-p 00000000 00:00 0\nRss: 8 kB\nSwap: 0 kB\nVmFlags: rd wr mr mw me ac um \n";
        struct map_list maps = { 0 };
        size_t bad;
        assert_int_equal(proc_maps_parse(smaps, strlen(smaps), &maps, &bad), 0);
        struct segment_plan plans[2] = { { .mode = DUMP_WHOLE }, { .mode = DUMP_WHOLE } };
        struct select_options o;
        select_options_default(&o);

        char pm_path[] = "/var/tmp/test-dump-plan-pm-XXXXXX";
        int pm_fd = mkstemp(pm_path);
        assert_true(pm_fd >= 0);
        unlink(pm_path);
        put(pm_fd, 0x10000, (uint64_t[]){ P, M, G, P }, 4);
        put(pm_fd, 0x20000, (uint64_t[]){ P, M, 0 }, 3);
        struct pagemap pm = PAGEMAP_INIT;
        assert_int_equal(pagemap_open_fd(&pm, pm_fd, PS), 0);
        pm.swap_areas = 0;
        struct skip_list skips = { 0 };
        struct dump_plan dp;
        struct dump_plan_input in = { .maps = &maps, .plans = plans, .select = &o, .pagemap = &pm, .skips = &skips,
                                      .page_size = PS };
        assert_int_equal(dump_plan_build(&dp, &in), 0);

        /* 0x10000: the migrating page read like the present ones, the guard page listed. */
        assert_int_equal(dp.n, 4);
        assert_true(dp.v[0].addr == 0x10000 && dp.v[0].len == PS && dp.v[0].src == DUMP_SRC_MEMORY);
        assert_true(dp.v[1].addr == 0x11000 && dp.v[1].len == PS && dp.v[1].src == DUMP_SRC_MEMORY);
        assert_true(dp.v[2].addr == 0x13000 && dp.v[2].len == PS);
        assert_int_equal(dp.filesz[0], 4 * PS);
        assert_int_equal(skip_list_bytes(&skips, SKIP_GUARD), PS);
        /* 0x20000 is registered with userfaultfd (um): its migrating page is not read. */
        assert_true(dp.v[3].addr == 0x20000 && dp.v[3].len == PS);
        assert_int_equal(dp.filesz[1], PS);
        assert_int_equal(skip_list_bytes(&skips, SKIP_UNREADABLE), PS);
        assert_int_equal(skip_list_bytes(&skips, SKIP_SWAPPED), 0);

        /* With a swap area, the same entries are still not swap: their type is migration's. */
        dump_plan_free(&dp);
        skip_list_free(&skips);
        pm.swap_areas = 1;
        assert_int_equal(dump_plan_build(&dp, &in), 0);
        assert_int_equal(dp.n, 4);
        assert_int_equal(dp.memory_bytes, 4 * PS);
        assert_int_equal(skip_list_bytes(&skips, SKIP_SWAPPED), 0);

        dump_plan_free(&dp);
        skip_list_free(&skips);
        pagemap_close(&pm);
        map_list_free(&maps);
}

static void test_item_cut(void **state)
{
        (void)state;
        /* A 20 MiB resident mapping becomes items of at most DUMP_ITEM_MAX. */
        static const char smaps[] = "100000000-101400000 rw-p 00000000 00:00 0\nRss: 20480 kB\nSwap: 0 kB\n";
        struct map_list maps = { 0 };
        size_t bad;
        assert_int_equal(proc_maps_parse(smaps, strlen(smaps), &maps, &bad), 0);
        struct segment_plan plan = { .mode = DUMP_WHOLE };
        struct select_options o;
        select_options_default(&o);
        struct skip_list skips = { 0 };
        struct dump_plan dp;
        struct dump_plan_input in = { .maps = &maps, .plans = &plan, .select = &o, .skips = &skips, .page_size = PS };
        assert_int_equal(dump_plan_build(&dp, &in), 0);
        assert_int_equal(dp.n, 3);
        assert_int_equal(dp.v[0].len, DUMP_ITEM_MAX);
        assert_int_equal(dp.v[2].len, (20u << 20) - 2 * DUMP_ITEM_MAX);
        assert_int_equal(dp.filesz[0], 20u << 20);
        dump_plan_free(&dp);
        map_list_free(&maps);
}

/* Bytes of [start, end) the skip list accounts for, whatever the reason. */
static uint64_t skipped_in(const struct skip_list *l, uint64_t start, uint64_t end)
{
        uint64_t sum = 0;
        for (size_t i = 0; i < l->n; i++) {
                uint64_t a = MAX(l->v[i].start, start), b = MIN(l->v[i].end, end);
                if (a < b)
                        sum += b - a;
        }
        return sum;
}

/*
 * One unchanged read-only mapping of an ELF file, planned DUMP_FIRST_PAGE
 * (capture.c saw the magic), its first page present or not in the pagemap.
 * Every byte must be in the core or in the skip list.
 */
static void first_page_case(bool present, bool file_exists)
{
        char file[] = "/var/tmp/test-dump-plan-elf-XXXXXX";
        int fd = mkstemp(file);
        assert_true(fd >= 0);
        char buf[3 * PS];
        memset(buf, 'e', sizeof(buf));
        memcpy(buf, "\177ELF", 4);
        assert_int_equal(write(fd, buf, sizeof(buf)), (ssize_t)sizeof(buf));
        struct stat st;
        assert_int_equal(fstat(fd, &st), 0);
        close(fd);
        if (!file_exists)
                unlink(file);

        char smaps[512];
        snprintf(smaps, sizeof(smaps), "70000-73000 r--p 00000000 %02x:%02x %llu %s\nRss: %d kB\nSwap: 0 kB\n",
                 major(st.st_dev), minor(st.st_dev), (unsigned long long)st.st_ino, file, present ? 4 : 0);
        struct map_list maps = { 0 };
        size_t bad;
        assert_int_equal(proc_maps_parse(smaps, strlen(smaps), &maps, &bad), 0);
        struct segment_plan plan = { .kind = SEG_RODATA, .mode = DUMP_FIRST_PAGE, .reason = SKIP_ON_DISK };
        struct select_options o;
        select_options_default(&o);

        char pm_path[] = "/var/tmp/test-dump-plan-pm-XXXXXX";
        int pm_fd = mkstemp(pm_path);
        assert_true(pm_fd >= 0);
        unlink(pm_path);
        put(pm_fd, 0x70000, (uint64_t[]){ present ? P : 0, 0, 0 }, 3);
        struct pagemap pm = PAGEMAP_INIT;
        assert_int_equal(pagemap_open_fd(&pm, pm_fd, PS), 0);
        int root_fd = open("/", O_RDONLY | O_DIRECTORY);
        struct backing_files files = BACKING_FILES_INIT;
        files.proc_fd = root_fd;
        struct skip_list skips = { 0 };
        struct dump_plan dp;
        struct dump_plan_input in = { .maps = &maps, .plans = &plan, .select = &o, .pagemap = &pm, .files = &files,
                                      .skips = &skips, .page_size = PS };
        assert_int_equal(dump_plan_build(&dp, &in), 0);

        uint64_t in_core = 0;
        for (size_t i = 0; i < dp.n; i++)
                in_core += dp.v[i].len;
        if (present || file_exists) {
                assert_int_equal(dp.n, 1);
                assert_true(dp.v[0].addr == 0x70000 && dp.v[0].len == PS);
                assert_int_equal(dp.v[0].src, present ? DUMP_SRC_MEMORY : DUMP_SRC_FILE);
                if (!present)
                        assert_int_equal(dp.v[0].file_off, 0);
                assert_int_equal(dp.filesz[0], PS);
        } else {
                /* The header page is neither in memory nor readable: it is listed. */
                assert_int_equal(dp.n, 0);
                assert_int_equal(skip_list_bytes(&skips, SKIP_FILE_ERROR), PS);
        }
        assert_int_equal(in_core + skipped_in(&skips, 0x70000, 0x73000), 0x3000);
        assert_int_equal(skip_list_bytes(&skips, SKIP_ON_DISK), 2 * PS);

        /* The rest is described from its own place in the file. */
        bool found = false;
        for (size_t i = 0; i < skips.n; i++)
                if (skips.v[i].reason == SKIP_ON_DISK) {
                        assert_int_equal(skips.v[i].start, 0x71000);
                        assert_non_null(strstr(skips.v[i].detail, "from offset 0x1000"));
                        assert_non_null(strstr(skips.v[i].detail, "first page (ELF header) is in the core"));
                        found = true;
                }
        assert_true(found);

        dump_plan_free(&dp);
        skip_list_free(&skips);
        backing_files_close(&files);
        pagemap_close(&pm);
        map_list_free(&maps);
        close(root_fd);
        if (file_exists)
                unlink(file);
}

static void test_first_page_absent(void **state)
{
        (void)state;
        first_page_case(false, true);
}

static void test_first_page_present(void **state)
{
        (void)state;
        first_page_case(true, true);
}

static void test_first_page_unreadable(void **state)
{
        (void)state;
        first_page_case(false, false);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_plan),
                cmocka_unit_test(test_read_swapped),
                cmocka_unit_test(test_item_cut),
                cmocka_unit_test(test_not_in_swap),
                cmocka_unit_test(test_first_page_absent),
                cmocka_unit_test(test_first_page_present),
                cmocka_unit_test(test_first_page_unreadable),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
