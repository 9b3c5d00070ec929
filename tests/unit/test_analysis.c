/*
 * Unit tests for analyze/analysis.c: the stages run up to a given one,
 * undone from a given one and run again; and segments found by address
 * (analyze/segments.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <elf.h>

#include "analyze/stages.h"
#include "common/log.h"
#include "core_builder.h"
#include "core_run.h"

#define STACK 0x7ffd00000000ull
#define STACK1 0x7f0000100000ull

/* Two threads, each with a stack; a thread whose stack pointer is in no mapping warns. */
static void small_core(struct core_builder *b)
{
        static uint8_t page[4096];
        cb_init(b);
        cb_prstatus(b, 500, 0, 0x401000, STACK + 0x1f00, 0);
        cb_prpsinfo(b, 500, 1, "prog", "/bin/prog");
        cb_prstatus(b, 501, 0, 0x401000, STACK1 + 0x3f00, 0);
        cb_prstatus(b, 502, 0, 0x401000, 0x10, 0);
        cb_load(b, STACK1, 0x4000, NULL, 0, PF_R | PF_W);
        cb_load(b, STACK, 0x2000, page, sizeof(page), PF_R | PF_W);
}

struct picture {
        size_t segments, threads, warnings;
        enum segment_kind kinds[16];
        int stacks[4];
};

static void picture_of(const struct analysis *a, struct picture *p)
{
        memset(p, 0, sizeof(*p));
        p->segments = a->segments.n;
        p->threads = a->threads.n;
        p->warnings = a->warnings.n;
        for (size_t i = 0; i < a->segments.n && i < 16; i++)
                p->kinds[i] = a->segments.v[i].kind;
        for (size_t t = 0; t < a->threads.n && t < 4; t++)
                p->stacks[t] = analysis_thread_stack(a, t);
}

static void test_run_reset_run(void **state)
{
        (void)state;
        struct core_builder b;
        struct core_run r;
        struct picture first, again;

        small_core(&b);
        core_run_open(&r, &b);
        assert_int_equal(analysis_run(&r.a, STAGE_THREADS), 0);
        size_t before_segments = r.a.warnings.n;
        assert_int_equal(analysis_run(&r.a, STAGE_EXPLAIN), 0);
        assert_int_equal(r.a.next, STAGE_COUNT);
        picture_of(&r.a, &first);
        assert_int_equal(first.threads, 3);
        assert_true(first.warnings > before_segments); /* thread 502's stack pointer is in no segment */

        /* Undone from the segments: their result, and their warnings, are gone; the threads stay. */
        analysis_reset_from(&r.a, STAGE_SEGMENTS);
        assert_int_equal(r.a.next, STAGE_SEGMENTS);
        assert_int_equal(r.a.segments.n, 0);
        assert_null(r.a.segments.v);
        assert_int_equal(analysis_thread_stack(&r.a, 0), NO_ID);
        assert_int_equal(r.a.threads.n, 3);
        assert_int_equal(r.a.warnings.n, before_segments);
        assert_int_equal(analysis_run(&r.a, STAGE_EXPLAIN), 0);
        picture_of(&r.a, &again);
        assert_memory_equal(&first, &again, sizeof(first));

        /* Undoing the threads undoes the modules too: libdwfl keeps what the threads stage attached. */
        analysis_reset_from(&r.a, STAGE_THREADS);
        assert_int_equal(r.a.next, STAGE_MODULES);
        assert_null(r.a.modules.dwfl);
        assert_int_equal(r.a.threads.n, 0);
        assert_int_equal(analysis_run(&r.a, STAGE_EXPLAIN), 0);
        picture_of(&r.a, &again);
        assert_memory_equal(&first, &again, sizeof(first));

        core_run_end(&r);
        cb_free(&b);
}

static void test_segment_index_from(void **state)
{
        (void)state;
        /* Sorted and disjoint, with a hole between the second and the third. */
        const struct segment v[] = {
                { .start = 0x1000, .end = 0x2000 },
                { .start = 0x2000, .end = 0x4000 },
                { .start = 0x8000, .end = 0x9000 },
        };

        assert_int_equal(segment_index_from(v, 3, 0), 0);       /* below all: the first */
        assert_int_equal(segment_index_from(v, 3, 0x1fff), 0);
        assert_int_equal(segment_index_from(v, 3, 0x2000), 1);  /* an end belongs to the next */
        assert_int_equal(segment_index_from(v, 3, 0x4000), 2);  /* in the hole: the next above */
        assert_int_equal(segment_index_from(v, 3, 0x8fff), 2);
        assert_int_equal(segment_index_from(v, 3, 0x9000), 3);  /* above all: n */
        assert_int_equal(segment_index_from(v, 2, 0x4000), 2);  /* only the first n count */
        assert_int_equal(segment_index_from(v, 0, 0), 0);
}

int main(void)
{
        log_set_level(LOG_LEVEL_ERROR);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_run_reset_run),
                cmocka_unit_test(test_segment_index_from),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
