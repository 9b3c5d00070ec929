/*
 * Unit tests for common/segment_kind.c: the classifier against the layout of
 * a real process (a PIE with libc, a thread, a glibc arena heap), as a person
 * reading /proc/PID/maps would label it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "common/segment_kind.h"

#define EXE "/usr/bin/churn"
#define LIBC "/usr/lib/x86_64-linux-gnu/libc.so.6"

static struct segment_facts F(uint64_t s, uint64_t e, const char *perms, const char *path)
{
        return (struct segment_facts){ .start = s, .end = e, .perms = perms, .path = path, .module = -1,
                                       .thread = -1 };
}

static void test_classify_layout(void **state)
{
        (void)state;
        struct segment_facts f[] = {
                F(0x555555554000, 0x555555555000, "r--p", EXE),
                F(0x555555555000, 0x555555556000, "r-xp", EXE),
                F(0x555555556000, 0x555555557000, "r--p", EXE),
                F(0x555555557000, 0x555555558000, "r--p", EXE),  /* RELRO */
                F(0x555555558000, 0x555555559000, "rw-p", EXE),
                F(0x555555559000, 0x55555555a000, "rw-p", NULL), /* bss */
                F(0x55555555a000, 0x55555557b000, "rw-p", "[heap]"),
                F(0x7ffff0000000, 0x7ffff0021000, "rw-p", NULL), /* arena heap */
                F(0x7ffff0021000, 0x7ffff4000000, "---p", NULL), /* its reserve */
                F(0x7ffff7000000, 0x7ffff7001000, "---p", NULL), /* thread guard */
                F(0x7ffff7001000, 0x7ffff7801000, "rw-p", NULL), /* thread stack */
                F(0x7ffff7900000, 0x7ffff7a00000, "rw-p", NULL), /* plain anon */
                F(0x7ffff7c00000, 0x7ffff7c28000, "r--p", LIBC),
                F(0x7ffff7c28000, 0x7ffff7dbd000, "r-xp", LIBC),
                F(0x7ffff7dbd000, 0x7ffff7e15000, "r--p", LIBC),
                F(0x7ffff7e15000, 0x7ffff7e19000, "r--p", LIBC),
                F(0x7ffff7e19000, 0x7ffff7e1b000, "rw-p", LIBC),
                F(0x7ffff7e1b000, 0x7ffff7e28000, "rw-p", NULL), /* libc bss */
                F(0x7ffff7f00000, 0x7ffff7f10000, "r--p", "/usr/lib/locale/locale-archive"),
                F(0x7ffff7f20000, 0x7ffff7f21000, "rw-s", "/dev/shm/x"),
                F(0x7ffff7fc1000, 0x7ffff7fc5000, "r--p", "[vvar]"),
                F(0x7ffff7fc5000, 0x7ffff7fc7000, "r-xp", "[vdso]"),
                F(0x7ffffffde000, 0x7ffffffff000, "rw-p", "[stack]"),
                F(0xffffffffff600000, 0xffffffffff601000, "--xp", "[vsyscall]"),
        };
        size_t n = sizeof(f) / sizeof(f[0]);
        enum segment_kind k[sizeof(f) / sizeof(f[0])];

        segment_kind_guess_modules(f, n);
        assert_int_equal(f[0].module, f[4].module);
        assert_int_equal(f[12].module, f[16].module);
        assert_true(f[0].module != f[12].module);
        assert_int_equal(f[18].module, -1);

        f[7].malloc_use = SEGMENT_MALLOC_ARENA;
        f[8].malloc_use = SEGMENT_MALLOC_ARENA;
        f[10].thread = 1;

        segment_kind_classify(f, n, k);
        enum segment_kind want[] = {
                SEG_RODATA, SEG_TEXT, SEG_RODATA, SEG_RODATA, SEG_DATA, SEG_BSS, SEG_HEAP, SEG_HEAP,
                SEG_HEAP,   SEG_GUARD, SEG_THREAD_STACK, SEG_ANON, SEG_RODATA, SEG_TEXT, SEG_RODATA,
                SEG_RODATA, SEG_DATA, SEG_BSS, SEG_FILE, SEG_SHM, SEG_VVAR, SEG_VDSO, SEG_STACK,
                SEG_VSYSCALL,
        };
        for (size_t i = 0; i < n; i++) {
                if (k[i] != want[i])
                        fail_msg("mapping %zu (%lx %s %s): got %s, want %s", i, (unsigned long)f[i].start,
                                 f[i].perms, f[i].path ? f[i].path : "(anon)", segment_kind_name(k[i]),
                                 segment_kind_name(want[i]));
        }
}

/* What is shm and what is a file mapped shared, as /proc/PID/maps shows them (" (deleted)" already cut). */
static void test_shared(void **state)
{
        (void)state;
#define S(p, name) { .start = 0x1000, .end = 0x2000, .perms = p, .path = name, .module = -1, .thread = -1 }
        struct segment_facts f[] = {
                S("rw-s", "/dev/shm/ring"),       /* POSIX shm_open */
                S("rw-s", "/SYSV0000162e"),       /* SysV shmat */
                S("rw-s", "/memfd:pool"),         /* memfd_create */
                S("rw-s", "/dev/zero"),           /* MAP_SHARED | MAP_ANONYMOUS (its " (deleted)" not said) */
                S("rw-s", "/anon_hugepage"),      /* the same with MAP_HUGETLB */
                S("rw-s", "/var/db/data.bin"),    /* a regular file mapped MAP_SHARED */
                S("r--s", "/usr/share/icons.cache"),
        };
#undef S
        enum segment_kind want[] = { SEG_SHM, SEG_SHM, SEG_SHM, SEG_SHM, SEG_SHM, SEG_FILE, SEG_FILE };
        enum segment_kind k[ELEMENTSOF(f)];
        for (size_t i = 0; i < ELEMENTSOF(f); i++) {
                segment_kind_classify(&f[i], 1, &k[i]);
                if (k[i] != want[i])
                        fail_msg("%s %s: got %s, want %s", f[i].perms, f[i].path, segment_kind_name(k[i]),
                                 segment_kind_name(want[i]));
        }
}

/*
 * The same mappings as a core without smaps gives them (gcore, the kernel):
 * PT_LOAD flags have no shared bit, so every perms ends in 'p', and the
 * path with its " (deleted)" decides.
 */
static void test_shared_without_smaps(void **state)
{
        (void)state;
#define S(name, del) { .start = 0x1000, .end = 0x2000, .perms = "rw-p", .path = name, .deleted = del, .module = -1, .thread = -1 }
        struct segment_facts f[] = {
                S("/dev/shm/PostgreSQL.1804289383", false),
                S("/SYSV0052e2c1", true),
                S("/memfd:pool", true),
                S("/dev/zero", true),             /* shared anonymous memory's shmem file */
                S("/dev/zero", false),            /* MAP_PRIVATE of /dev/zero: anonymous memory */
                S("/var/db/data.bin", false),     /* shared or private: a file either way */
                S("/anon_hugepage", true),        /* MAP_HUGETLB anonymous, private or shared: unknown */
        };
#undef S
        enum segment_kind want[] = { SEG_SHM, SEG_SHM, SEG_SHM, SEG_SHM, SEG_ANON, SEG_FILE, SEG_FILE };
        enum path_sharing sharing[] = {
                PATH_SHARING_LIKELY, PATH_SHARING_ALWAYS, PATH_SHARING_LIKELY, PATH_SHARING_ALWAYS,
                PATH_SHARING_UNKNOWN, PATH_SHARING_UNKNOWN, PATH_SHARING_UNKNOWN,
        };
        enum segment_kind k[ELEMENTSOF(f)];
        for (size_t i = 0; i < ELEMENTSOF(f); i++) {
                segment_kind_classify(&f[i], 1, &k[i]);
                if (k[i] != want[i])
                        fail_msg("%s%s: got %s, want %s", f[i].path, f[i].deleted ? " (deleted)" : "",
                                 segment_kind_name(k[i]), segment_kind_name(want[i]));
                assert_int_equal(segment_kind_path_sharing(f[i].path, f[i].deleted), sharing[i]);
        }
        assert_int_equal(segment_kind_path_sharing(NULL, false), PATH_SHARING_UNKNOWN);
}

/*
 * Malloc memory by the one rule capture's guess and analyze's walk share:
 * arena memory is heap but on a stack; an mmapped chunk's header makes
 * heap of anonymous memory only.
 */
static void test_malloc_rule(void **state)
{
        (void)state;
        struct segment_facts f[] = {
                F(0x555555558000, 0x555555559000, "rw-p", EXE),
                F(0x555555559000, 0x55555555a000, "rw-p", NULL), /* bss, with a chunk-like word */
                F(0x7ffff0000000, 0x7ffff0021000, "rw-p", NULL), /* an mmapped chunk */
                F(0x7ffff0021000, 0x7ffff4000000, "---p", NULL), /* an arena heap's reserve */
                F(0x7ffff7001000, 0x7ffff7801000, "rw-p", NULL), /* a thread's stack in a malloc'd block */
                F(0x7ffff7900000, 0x7ffff7a00000, "rw-p", NULL), /* the same, held by an arena */
                F(0x7ffff7f20000, 0x7ffff7f21000, "rw-s", "/dev/shm/x"),
        };
        size_t n = sizeof(f) / sizeof(f[0]);
        enum segment_kind k[sizeof(f) / sizeof(f[0])];

        segment_kind_guess_modules(f, n);
        f[0].module = f[1].module = 0;
        f[1].malloc_use = SEGMENT_MALLOC_MMAPPED;
        f[2].malloc_use = SEGMENT_MALLOC_MMAPPED;
        f[3].malloc_use = SEGMENT_MALLOC_ARENA;
        f[4].malloc_use = SEGMENT_MALLOC_MMAPPED;
        f[4].thread = 1;
        f[5].malloc_use = SEGMENT_MALLOC_ARENA;
        f[5].thread = 2;
        f[6].malloc_use = SEGMENT_MALLOC_MMAPPED;
        segment_kind_classify(f, n, k);
        enum segment_kind want[] = {
                SEG_DATA, SEG_BSS, SEG_HEAP, SEG_HEAP, SEG_THREAD_STACK, SEG_THREAD_STACK, SEG_SHM,
        };
        for (size_t i = 0; i < n; i++)
                if (k[i] != want[i])
                        fail_msg("mapping %zu: got %s, want %s", i, segment_kind_name(k[i]), segment_kind_name(want[i]));
        /* The rule alone, as analyze applies it after its walk. */
        assert_int_equal(segment_kind_malloc(SEG_GUARD, SEGMENT_MALLOC_ARENA), SEG_HEAP);
        assert_int_equal(segment_kind_malloc(SEG_STACK, SEGMENT_MALLOC_ARENA), SEG_STACK);
        assert_int_equal(segment_kind_malloc(SEG_GUARD, SEGMENT_MALLOC_MMAPPED), SEG_GUARD);
        assert_int_equal(segment_kind_malloc(SEG_ANON, SEGMENT_MALLOC_NONE), SEG_ANON);
}

static void test_kind_names(void **state)
{
        (void)state;
        uint32_t mask;
        const char *bad;
        size_t bad_len;

        /* Every kind name, as the database writes it, is one --segments takes. */
        for (int k = 0; k < SEG_KIND_COUNT; k++) {
                assert_int_equal(segment_kind_parse_list(segment_kind_name(k), &mask, &bad, &bad_len), 0);
                assert_int_equal(mask, 1u << k);
        }
        assert_int_equal(segment_kind_parse_list("nope", &mask, &bad, &bad_len), -EINVAL);

        assert_int_equal(segment_kind_parse_list("heap,stack,anon", &mask, &bad, &bad_len), 0);
        assert_int_equal(mask, (1u << SEG_HEAP) | (1u << SEG_STACK) | (1u << SEG_ANON));
        assert_int_equal(segment_kind_parse_list("heap,,data", &mask, &bad, &bad_len), 0);
        assert_int_equal(segment_kind_parse_list("heap,bogus,data", &mask, &bad, &bad_len), -EINVAL);
        assert_int_equal(bad_len, 5);
        assert_memory_equal(bad, "bogus", 5);
        assert_int_equal(segment_kind_parse_list("", &mask, &bad, &bad_len), -EINVAL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_classify_layout),
                cmocka_unit_test(test_shared),
                cmocka_unit_test(test_shared_without_smaps),
                cmocka_unit_test(test_malloc_rule),
                cmocka_unit_test(test_kind_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
