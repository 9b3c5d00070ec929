/*
 * Unit tests for analyze/segments.c: the segments of cores built by
 * core_builder.c as gcore, the kernel and memsnap lay them out — mappings
 * only NT_FILE or smaps knows, the vdso's neighbours, thread stacks and
 * their guards, smaps names and figures — through the real stages that
 * run before it (snapshot, modules, threads).
 */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "analyze/stages.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/memsnap_note.h"
#include "core_builder.h"
#include "core_run.h"

#define VDSO 0x7ff0000a0000ull
#define STACK1 0x7f0000100000ull /* a worker's stack, a guard page below it */
#define MAIN_STACK 0x7ffd00000000ull

static void run_stages(struct core_run *r, const struct core_builder *b)
{
        core_run_open(r, b);
        assert_int_equal(analysis_run(&r->a, STAGE_SEGMENTS), 0);
}

static const struct segment *seg_at(const struct core_run *r, uint64_t start)
{
        for (size_t i = 0; i < r->a.segments.n; i++)
                if (r->a.segments.v[i].start == start)
                        return &r->a.segments.v[i];
        return NULL;
}

static bool warned(const struct core_run *r, const char *needle)
{
        for (size_t i = 0; i < r->a.warnings.n; i++)
                if (strstr(r->a.warnings.v[i].message, needle))
                        return true;
        return false;
}

/* Two threads, a file mapped three times (the middle one left out of the PT_LOADs), the kernel's pages. */
static void base_core(struct core_builder *b, const char *gdb_note)
{
        static uint8_t page[4096];
        cb_init(b);
        cb_prstatus(b, 500, 0, 0x401000, MAIN_STACK + 0x1f00, 0);
        cb_prpsinfo(b, 500, 1, "prog", "/bin/prog");
        cb_prstatus(b, 501, 0, 0x401000, STACK1 + 0x3f00, 0);
        const uint64_t auxv[][2] = { { AT_PAGESZ, 4096 }, { AT_SYSINFO_EHDR, VDSO }, { AT_ENTRY, 0x401000 } };
        cb_auxv(b, &auxv[0][0], 3);
        const struct cb_file files[] = {
                { 0x400000, 0x401000, 0, "/bin/prog" },
                { 0x401000, 0x402000, 1, "/bin/prog" },
                { 0x402000, 0x403000, 2, "/bin/prog (deleted)" },
                { 0x500000, 0x510000, 0, "/usr/share/data.bin" },
        };
        cb_nt_file(b, files, ELEMENTSOF(files), 4096);
        if (gdb_note)
                cb_note(b, "GDB", 0xff000000, gdb_note, strlen(gdb_note));
        cb_load(b, 0x400000, 0x1000, page, sizeof(page), PF_R);
        cb_load(b, 0x402000, 0x1000, page, sizeof(page), PF_R | PF_W);
        cb_load(b, 0x500000, 0x10000, NULL, 0, PF_R);
        cb_load(b, STACK1 - 0x1000, 0x1000, page, sizeof(page), PF_R); /* gcore writes PROT_NONE as readable */
        cb_load(b, STACK1, 0x4000, NULL, 0, PF_R | PF_W);
        cb_load(b, VDSO - 0x6000, 0x2000, page, sizeof(page), PF_R | PF_W); /* anonymous, not vvar */
        cb_load(b, VDSO - 0x4000, 0x2000, NULL, 0, PF_R);
        cb_load(b, VDSO - 0x2000, 0x2000, NULL, 0, PF_R);
        cb_load(b, VDSO, 0x2000, NULL, 0, PF_R | PF_X);
        cb_load(b, MAIN_STACK, 0x2000, page, sizeof(page), PF_R | PF_W);
        cb_load(b, 0xffffffffff600000ull, 0x1000, NULL, 0, PF_X);
}

static void test_gcore_layout(void **state)
{
        (void)state;
        struct core_builder b;
        struct core_run r;
        base_core(&b, "<target/>");
        run_stages(&r, &b);
        assert_int_equal(r.a.snap.source, CORE_SOURCE_GCORE);

        /* The mapping no PT_LOAD covers is there, from NT_FILE, with nothing in the core. */
        const struct segment *s = seg_at(&r, 0x401000);
        assert_non_null(s);
        assert_int_equal(s->end, 0x402000);
        assert_int_equal(s->in_core, 0);
        assert_string_equal(s->path, "/bin/prog");
        assert_int_equal(s->offset, 4096);
        s = seg_at(&r, 0x402000);
        assert_string_equal(s->path, "/bin/prog");
        assert_true(s->deleted);
        assert_string_equal(s->perms, "rw-p");
        assert_int_equal(s->in_core, 4096);
        assert_int_equal(seg_at(&r, 0x500000)->kind, SEG_FILE);

        /* The vdso's read-only neighbours are vvar; the writable mapping below them is not. */
        assert_int_equal(seg_at(&r, VDSO)->kind, SEG_VDSO);
        assert_string_equal(seg_at(&r, VDSO - 0x2000)->path, "[vvar_vclock]");
        assert_string_equal(seg_at(&r, VDSO - 0x4000)->path, "[vvar]");
        assert_int_equal(seg_at(&r, VDSO - 0x4000)->kind, SEG_VVAR);
        assert_null(seg_at(&r, VDSO - 0x6000)->path);
        assert_int_equal(seg_at(&r, VDSO - 0x6000)->kind, SEG_ANON);
        assert_int_equal(seg_at(&r, 0xffffffffff600000ull)->kind, SEG_VSYSCALL);

        /* Stacks belong to their threads; gcore's readable page below the worker's is its guard. */
        s = seg_at(&r, STACK1);
        assert_int_equal(s->kind, SEG_THREAD_STACK);
        assert_int_equal(s->tid, 501);
        s = seg_at(&r, STACK1 - 0x1000);
        assert_int_equal(s->kind, SEG_GUARD);
        assert_string_equal(s->perms, "---p");
        assert_int_equal(s->tid, 501);
        s = seg_at(&r, MAIN_STACK);
        assert_int_equal(s->kind, SEG_STACK);
        assert_int_equal(s->tid, 500);
        for (size_t i = 0; i < r.a.threads.n; i++) {
                const struct thread *t = &r.a.threads.v[i];
                int stack = analysis_thread_stack(&r.a, i);
                assert_true(stack >= 0);
                assert_int_equal(r.a.segments.v[stack].tid, t->tid);
        }
        assert_true(r.a.threads.v[0].is_main);
        assert_string_equal(r.a.threads.v[0].name, "prog");

        /* In address order, none overlapping. */
        for (size_t i = 1; i < r.a.segments.n; i++)
                assert_true(r.a.segments.v[i].start >= r.a.segments.v[i - 1].end);
        core_run_end(&r);
        cb_free(&b);
}

/* The same layout from the kernel: a readable page below a stack is not taken for a guard. */
static void test_kernel_keeps_flags(void **state)
{
        (void)state;
        struct core_builder b;
        struct core_run r;
        base_core(&b, NULL);
        run_stages(&r, &b);
        assert_int_equal(r.a.snap.source, CORE_SOURCE_KERNEL);
        const struct segment *s = seg_at(&r, STACK1 - 0x1000);
        assert_string_equal(s->perms, "r--p");
        assert_int_equal(s->kind, SEG_ANON);
        assert_int_equal(s->tid, 0);
        core_run_end(&r);
        cb_free(&b);
}

static void test_smaps(void **state)
{
        (void)state;
        struct core_builder b;
        struct core_run r;
        static uint8_t page[4096];
        static const char smaps[] =
                "400000-401000 r--p 00000000 fe:00 12 /bin/prog\n"
                "Size:                  4 kB\nRss:                   4 kB\nPss:                   2 kB\n"
                "Anonymous:             0 kB\nSwap:                  0 kB\nVmFlags: rd mr mw me \n"
                "600000-621000 rw-p 00000000 00:00 0                          [heap]\n"
                "Rss:                 132 kB\nAnonymous:           132 kB\nVmFlags: rd wr mr mw me ac \n"
                "700000-701000 rw-p 00000000 00:00 0 \n"
                "Rss:                   4 kB\nVmFlags: rd wr mr mw me ac \n"
                "7ffd00000000-7ffd00002000 rw-p 00000000 00:00 0                  [stack]\n"
                "Rss:                   8 kB\nVmFlags: rd wr mr mw me gd ac \n";
        static const char settings[] = "pid=600\nexe=/bin/prog\n";

        cb_init(&b);
        cb_prstatus(&b, 600, 0, 0x400100, MAIN_STACK + 0x100, 0);
        cb_note(&b, MEMSNAP_NOTE_NAME, MEMSNAP_NT_SETTINGS, settings, sizeof(settings) - 1);
        cb_note(&b, MEMSNAP_NOTE_NAME, MEMSNAP_NT_SMAPS, smaps, sizeof(smaps) - 1);
        cb_note(&b, MEMSNAP_NOTE_NAME, MEMSNAP_NT_THREADS, "600\tmain-loop\n", 14);
        cb_load(&b, 0x400000, 0x1000, page, sizeof(page), PF_R);
        cb_load(&b, 0x600000, 0x21000, page, sizeof(page), PF_R | PF_W);
        /* 0x700000 has no PT_LOAD: smaps alone knows it. */
        cb_load(&b, MAIN_STACK, 0x2000, page, sizeof(page), PF_R | PF_W);
        cb_load(&b, 0x800000, 0x1000, NULL, 0, PF_R); /* not in smaps */
        run_stages(&r, &b);

        const struct segment *s = seg_at(&r, 0x600000);
        assert_string_equal(s->path, "[heap]");
        assert_int_equal(s->kind, SEG_HEAP);
        assert_int_equal(s->rss_kb, 132);
        assert_int_equal(s->anonymous_kb, 132);
        assert_string_equal(s->vm_flags, "rd wr mr mw me ac");
        s = seg_at(&r, 0x700000);
        assert_non_null(s);
        assert_int_equal(s->in_core, 0);
        assert_string_equal(s->perms, "rw-p");
        assert_int_equal(s->rss_kb, 4);
        s = seg_at(&r, MAIN_STACK);
        assert_int_equal(s->kind, SEG_STACK);
        assert_int_equal(s->tid, 600);
        assert_int_equal(seg_at(&r, 0x400000)->pss_kb, 2);
        assert_int_equal(seg_at(&r, 0x800000)->rss_kb, -1);
        assert_true(warned(&r, "not a mapping of the smaps note"));
        assert_string_equal(r.a.threads.v[0].name, "main-loop");
        core_run_end(&r);
        cb_free(&b);

        /* A note out of address order is not used. */
        static const char unsorted[] = "700000-701000 rw-p 00000000 00:00 0 \n600000-601000 rw-p 00000000 00:00 0 [heap]\n";
        cb_init(&b);
        cb_prstatus(&b, 600, 0, 0, MAIN_STACK + 0x100, 0);
        cb_note(&b, MEMSNAP_NOTE_NAME, MEMSNAP_NT_SMAPS, unsorted, sizeof(unsorted) - 1);
        cb_load(&b, 0x600000, 0x1000, page, sizeof(page), PF_R | PF_W);
        run_stages(&r, &b);
        assert_true(warned(&r, "not in address order"));
        assert_int_equal(r.a.segments.n, 1);
        assert_null(seg_at(&r, 0x600000)->path);
        assert_true(warned(&r, "stack pointer"));
        core_run_end(&r);
        cb_free(&b);
}

/*
 * memsnap cores: the tail of an anonymous mapping past its bytes is known
 * zero unless the skipped note lists a range that touches it.  The note's
 * lines come in any order, overlap, and hold lines that are no range.
 */
static void test_zero_tails(void **state)
{
        (void)state;
        struct core_builder b;
        struct core_run r;
        static uint8_t page[4096];
        static const char settings[] = "pid=700\n";
        static const char skipped[] = "a04000-a08000\tunreadable\tEIO\n"
                                      "not a range\n"
                                      "b00000-b01000\tmax_size\t\n"
                                      "a02000-a05000\tunreadable\tEIO\n"
                                      "c10000-c00000\tbackwards\t\n";

        cb_init(&b);
        cb_prstatus(&b, 700, 0, 0, MAIN_STACK + 0x100, 0);
        cb_note(&b, MEMSNAP_NOTE_NAME, MEMSNAP_NT_SETTINGS, settings, sizeof(settings) - 1);
        cb_note(&b, MEMSNAP_NOTE_NAME, MEMSNAP_NT_SKIPPED, skipped, sizeof(skipped) - 1);
        cb_load(&b, 0xa00000, 0x10000, page, sizeof(page), PF_R | PF_W); /* its tail is skipped in part */
        cb_load(&b, 0xb00000, 0x4000, page, sizeof(page), PF_R | PF_W);  /* skipped before its tail only */
        cb_load(&b, 0xc00000, 0x4000, page, sizeof(page), PF_R | PF_W);  /* only a backwards line names it */
        cb_load(&b, MAIN_STACK, 0x2000, page, sizeof(page), PF_R | PF_W);
        run_stages(&r, &b);
        assert_int_equal(r.a.snap.source, CORE_SOURCE_MEMSNAP);
        assert_false(seg_at(&r, 0xa00000)->tail_zero);
        assert_true(seg_at(&r, 0xb00000)->tail_zero);
        assert_true(seg_at(&r, 0xc00000)->tail_zero);
        core_run_end(&r);
        cb_free(&b);
}

int main(void)
{
        log_set_level(LOG_LEVEL_ERROR);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_gcore_layout),
                cmocka_unit_test(test_kernel_keeps_flags),
                cmocka_unit_test(test_smaps),
                cmocka_unit_test(test_zero_tails),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
