/*
 * Unit tests for capture/segment_select.c: which mappings of a realistic
 * smaps (a PIE, libc with RELRO, a thread, an arena heap, shared memory,
 * the kernel's pseudo mappings) are dumped by default and under each
 * filter, and why the others are not.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture/segment_select.h"

#define EXE "/usr/bin/churn"
#define LIBC "/usr/lib/x86_64-linux-gnu/libc.so.6"

/* One smaps entry: header line, then Rss, Anonymous, Swap and VmFlags. */
#define M(range, perms, off, inode, path, rss, anon, flags)                                                         \
        range " " perms " " off " 08:01 " inode "  " path "\n"                                                       \
        "Rss: " rss " kB\nAnonymous: " anon " kB\nSwap: 0 kB\nVmFlags: " flags "\n"

static const char smaps[] =
        M("555555554000-555555555000", "r--p", "00000000", "100", EXE, "4", "0", "rd mr mw me")        /* 0 */
        M("555555555000-555555556000", "r-xp", "00001000", "100", EXE, "4", "0", "rd ex mr mw me")     /* 1 */
        M("555555557000-555555558000", "r--p", "00002000", "100", EXE, "4", "4", "rd mr mw me ac")     /* 2 RELRO */
        M("555555558000-555555559000", "rw-p", "00003000", "100", EXE, "4", "4", "rd wr mr mw me ac")  /* 3 */
        M("55555555a000-55555557b000", "rw-p", "00000000", "0", "[heap]", "132", "132", "rd wr mr mw me ac") /* 4 */
        M("7fffec000000-7fffec021000", "rw-p", "00000000", "0", "", "132", "132", "rd wr mr mw me nr") /* 5 arena heap */
        M("7fffec021000-7ffff0000000", "---p", "00000000", "0", "", "0", "0", "mr mw me nr")           /* 6 */
        M("7ffff7000000-7ffff7001000", "---p", "00000000", "0", "", "0", "0", "mr mw me")              /* 7 guard */
        M("7ffff7001000-7ffff7801000", "rw-p", "00000000", "0", "", "16", "16", "rd wr mr mw me ac")   /* 8 thread stack */
        M("7ffff7900000-7ffff7a00000", "rw-p", "00000000", "0", "", "8", "8", "rd wr mr mw me dd")     /* 9 dontdump */
        M("7ffff7a00000-7ffff7a10000", "rw-s", "00000000", "7", "/dev/fb0", "0", "0", "rd wr sh mr mw me io pf") /* 10 */
        M("7ffff7c00000-7ffff7c28000", "r--p", "00000000", "200", LIBC, "160", "0", "rd mr mw me")     /* 11 */
        M("7ffff7c28000-7ffff7dbd000", "r-xp", "00028000", "200", LIBC, "900", "0", "rd ex mr mw me")  /* 12 */
        M("7ffff7e15000-7ffff7e19000", "r--p", "00214000", "200", LIBC, "16", "16", "rd mr mw me ac")  /* 13 RELRO */
        M("7ffff7e19000-7ffff7e1b000", "rw-p", "00218000", "200", LIBC, "8", "8", "rd wr mr mw me ac") /* 14 */
        M("7ffff7f00000-7ffff7f10000", "r--p", "00000000", "300", "/usr/lib/locale/locale-archive", "64", "0", "rd mr mw me") /* 15 */
        M("7ffff7f10000-7ffff7f20000", "rw-s", "00000000", "301", "/var/db/data.bin", "64", "0", "rd wr sh mr mw me") /* 16 */
        M("7ffff7f20000-7ffff7f21000", "rw-s", "00000000", "400", "/dev/shm/ring", "4", "0", "rd wr sh mr mw me") /* 17 */
        M("7ffff7f30000-7ffff7f31000", "r-xp", "00000000", "500", "/opt/app/plugin.so (deleted)", "4", "0", "rd ex mr mw me") /* 18 */
        M("7ffff7fc1000-7ffff7fc5000", "r--p", "00000000", "0", "[vvar]", "0", "0", "rd mr pf io de dd") /* 19 */
        M("7ffff7fc5000-7ffff7fc7000", "r-xp", "00000000", "0", "[vdso]", "8", "0", "rd ex mr mw me de") /* 20 */
        M("7ffffffde000-7ffffffff000", "rw-p", "00000000", "0", "[stack]", "16", "16", "rd wr mr mw me gd ac") /* 21 */
        M("ffffffffff600000-ffffffffff601000", "--xp", "00000000", "0", "[vsyscall]", "0", "0", "ex"); /* 22 */

#define N 23

struct fixture {
        struct map_list maps;
        struct segment_facts facts[N];
        enum segment_kind kinds[N];
        struct segment_plan plans[N];
};

static void load(struct fixture *f)
{
        size_t bad = 0;
        memset(f, 0, sizeof(*f));
        assert_int_equal(proc_maps_parse(smaps, strlen(smaps), &f->maps, &bad), 0);
        assert_int_equal(f->maps.n, N);
        /* The main thread's SP in [stack], a worker's in mapping 8; mapping 5 is malloc's. */
        uint64_t sps[] = { 0x7fffffffe000, 0x7ffff7800f00 };
        enum segment_malloc heap[N] = { [5] = SEGMENT_MALLOC_ARENA };
        segment_select_facts_fill(&f->maps, sps, 2, 0, heap, f->facts);
        segment_kind_classify(f->facts, N, f->kinds);
}

static void plan(struct fixture *f, const struct select_options *o)
{
        segment_select(&f->maps, f->kinds, o, f->plans);
}

static void test_kinds(void **state)
{
        (void)state;
        struct fixture f;
        load(&f);
        assert_int_equal(f.kinds[4], SEG_HEAP);
        assert_int_equal(f.kinds[5], SEG_HEAP);
        assert_int_equal(f.kinds[8], SEG_THREAD_STACK);
        assert_int_equal(f.kinds[21], SEG_STACK);
        assert_int_equal(f.kinds[12], SEG_TEXT);
        assert_int_equal(f.kinds[17], SEG_SHM);
        map_list_free(&f.maps);
}

static void test_default(void **state)
{
        (void)state;
        struct fixture f;
        struct select_options o;
        select_options_default(&o);
        load(&f);
        plan(&f, &o);

        /* Never read. */
        assert_true(f.plans[19].mode == DUMP_NONE && f.plans[19].reason == SKIP_VVAR);
        assert_true(f.plans[22].mode == DUMP_NONE && f.plans[22].reason == SKIP_VSYSCALL);
        assert_true(f.plans[6].mode == DUMP_NONE && f.plans[6].reason == SKIP_GUARD);
        assert_true(f.plans[7].mode == DUMP_NONE && f.plans[7].reason == SKIP_GUARD);
        assert_true(f.plans[9].mode == DUMP_NONE && f.plans[9].reason == SKIP_DONTDUMP);
        assert_true(f.plans[10].mode == DUMP_NONE && f.plans[10].reason == SKIP_IO);

        /* On disk: unchanged read-only file mappings and shared file mappings. */
        assert_true(f.plans[1].mode == DUMP_NONE && f.plans[1].reason == SKIP_ON_DISK);
        assert_true(f.plans[12].mode == DUMP_NONE && f.plans[12].reason == SKIP_ON_DISK);
        assert_true(f.plans[15].mode == DUMP_NONE && f.plans[15].reason == SKIP_ON_DISK);
        assert_true(f.plans[16].mode == DUMP_NONE && f.plans[16].reason == SKIP_SHARED_FILE);
        /* Offset 0 and readable: its first page may be an ELF header. */
        assert_true(f.plans[0].elf_header_candidate);
        assert_true(f.plans[11].elf_header_candidate);
        assert_false(f.plans[12].elf_header_candidate);
        assert_true(f.plans[15].elf_header_candidate); /* checked for the magic later */

        /* Dumped: changed (RELRO), writable, anonymous, shm, deleted files, [vdso], [stack]. */
        int whole[] = { 2, 3, 4, 5, 8, 13, 14, 17, 18, 20, 21 };
        for (size_t i = 0; i < sizeof(whole) / sizeof(whole[0]); i++)
                assert_int_equal(f.plans[whole[i]].mode, DUMP_WHOLE);
        /* Absent file pages come from the file; anonymous ones are holes. */
        assert_true(f.plans[3].file_pages && f.plans[17].file_pages && f.plans[18].file_pages);
        assert_false(f.plans[4].file_pages || f.plans[5].file_pages || f.plans[20].file_pages);
        map_list_free(&f.maps);
}

static void test_segments_heap(void **state)
{
        (void)state;
        struct fixture f;
        struct select_options o;
        select_options_default(&o);
        o.kinds = 1u << SEG_HEAP;
        o.kinds_given = true;
        load(&f);
        plan(&f, &o);
        for (int i = 0; i < N; i++) {
                bool heap = i == 4 || i == 5;
                assert_int_equal(f.plans[i].mode, heap ? DUMP_WHOLE : DUMP_NONE);
                /* No ELF headers either: the user asked for heap only. */
                assert_false(f.plans[i].elf_header_candidate);
        }
        assert_int_equal(f.plans[21].reason, SKIP_KIND);
        assert_int_equal(f.plans[19].reason, SKIP_VVAR); /* never readable comes first */

        /* Naming text dumps it whole, on disk or not. */
        o.kinds = 1u << SEG_TEXT;
        plan(&f, &o);
        assert_int_equal(f.plans[12].mode, DUMP_WHOLE);
        assert_true(f.plans[12].file_pages);
        assert_int_equal(f.plans[11].mode, DUMP_NONE);
        map_list_free(&f.maps);
}

static void test_filters(void **state)
{
        (void)state;
        struct fixture f;
        struct select_options o;
        load(&f);

        select_options_default(&o);
        o.with_text = true;
        plan(&f, &o);
        assert_int_equal(f.plans[12].mode, DUMP_WHOLE);
        assert_int_equal(f.plans[16].mode, DUMP_WHOLE);
        assert_int_equal(f.plans[19].mode, DUMP_NONE);

        select_options_default(&o);
        o.have_range = true;
        o.range_start = 0x7ffff7001800; /* inside the thread stack, */
        o.range_end = 0x7ffff7950000;   /* into the dontdump mapping */
        plan(&f, &o);
        for (int i = 0; i < N; i++)
                assert_int_equal(f.plans[i].mode, i == 8 ? DUMP_WHOLE : DUMP_NONE);
        assert_int_equal(f.plans[9].reason, SKIP_DONTDUMP);
        assert_int_equal(f.plans[4].reason, SKIP_RANGE);

        select_options_default(&o);
        o.path_glob = "*libc.so*";
        plan(&f, &o);
        for (int i = 0; i < N; i++) {
                bool dumped = i == 13 || i == 14;
                assert_int_equal(f.plans[i].mode, dumped ? DUMP_WHOLE : DUMP_NONE);
        }
        assert_int_equal(f.plans[4].reason, SKIP_PATH);
        assert_int_equal(f.plans[12].reason, SKIP_ON_DISK);

        select_options_default(&o);
        o.path_glob = "[heap]";
        plan(&f, &o);
        assert_int_equal(f.plans[4].mode, DUMP_WHOLE);
        assert_int_equal(f.plans[5].reason, SKIP_PATH);

        select_options_default(&o);
        o.max_size = 0x10000;
        plan(&f, &o);
        assert_int_equal(f.plans[8].reason, SKIP_MAX_SIZE);
        assert_int_equal(f.plans[3].mode, DUMP_WHOLE);
        map_list_free(&f.maps);
}

static void test_describe(void **state)
{
        (void)state;
        struct fixture f;
        struct select_options o;
        _cleanup_strbuf_ struct strbuf buf = STRBUF_INIT;
        select_options_default(&o);
        load(&f);
        plan(&f, &o);
        segment_plan_describe(&f.plans[12], &f.maps.v[12], &o, f.maps.v[12].start, &buf);
        assert_non_null(strstr(strbuf_str(&buf), LIBC));
        assert_non_null(strstr(strbuf_str(&buf), "--with-text"));
        assert_non_null(strstr(strbuf_str(&buf), "from offset 0x28000"));
        /* A range that starts a page in: its own offset in the file. */
        strbuf_reset(&buf);
        segment_plan_describe(&f.plans[12], &f.maps.v[12], &o, f.maps.v[12].start + 0x1000, &buf);
        assert_non_null(strstr(strbuf_str(&buf), "from offset 0x29000"));
        /* A path as long as the kernel's PATH_MAX is whole in the detail, and what follows it too. */
        char long_path[4096];
        memset(long_path, 'p', sizeof(long_path) - 1);
        long_path[0] = '/';
        long_path[sizeof(long_path) - 1] = '\0';
        char *path = f.maps.v[12].path;
        f.maps.v[12].path = long_path;
        strbuf_reset(&buf);
        segment_plan_describe(&f.plans[12], &f.maps.v[12], &o, f.maps.v[12].start, &buf);
        f.maps.v[12].path = path;
        assert_non_null(strstr(strbuf_str(&buf), long_path));
        assert_non_null(strstr(strbuf_str(&buf), "(--with-text dumps it)"));
        o.max_size = 4096;
        plan(&f, &o);
        strbuf_reset(&buf);
        segment_plan_describe(&f.plans[8], &f.maps.v[8], &o, f.maps.v[8].start, &buf);
        assert_non_null(strstr(strbuf_str(&buf), "larger than --max-size 4096"));
        assert_true(map_entry_has_vm_flag(&f.maps.v[9], "dd"));
        assert_false(map_entry_has_vm_flag(&f.maps.v[9], "d"));
        assert_false(segment_select_on_disk(&f.maps.v[18])); /* deleted */
        assert_false(segment_select_on_disk(&f.maps.v[17])); /* /dev/shm */
        assert_true(segment_select_on_disk(&f.maps.v[15]));
        map_list_free(&f.maps);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_kinds),
                cmocka_unit_test(test_default),
                cmocka_unit_test(test_segments_heap),
                cmocka_unit_test(test_filters),
                cmocka_unit_test(test_describe),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
