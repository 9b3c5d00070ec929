/*
 * Unit tests for analyze/threads.c's reading of the MEMSNAP threads and
 * stacks notes, on cores built by core_builder.c: names and texts come back
 * unescaped (common/text_escape.h), malformed lines are named in a warning.
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
#include "common/log.h"
#include "common/memsnap_note.h"
#include "core_builder.h"
#include "core_run.h"

#define STACK 0x7ffd00000000ull

static void run_threads(struct core_run *r, const struct core_builder *b)
{
        core_run_open(r, b);
        assert_int_equal(analysis_run(&r->a, STAGE_THREADS), 0);
}

static const struct thread *thread(const struct core_run *r, int tid)
{
        for (size_t i = 0; i < r->a.threads.n; i++)
                if (r->a.threads.v[i].tid == tid)
                        return &r->a.threads.v[i];
        fail_msg("no thread %d", tid);
        return NULL;
}

static bool warned(const struct core_run *r, const char *needle)
{
        for (size_t i = 0; i < r->a.warnings.n; i++)
                if (strstr(r->a.warnings.v[i].message, needle))
                        return true;
        return false;
}

/* A thread may call itself anything prctl(PR_SET_NAME) takes: a tab, a backslash, a newline. */
static void test_escaped_names(void **state)
{
        (void)state;
        struct core_builder b;
        struct core_run r;
        static uint8_t page[8192];
        static const char settings[] = "pid=800\n";
        static const char names[] = "800\tmain\n801\tgot\\ttab\\\\and\\nline\n802\tplain\n";
        static const char stacks[] = "801\t0\t401000\tns\\\\op\\t<int>\t10\t/opt/lib\\\\dir/lib.so\n"
                                     "801\t1\t401100\t\t\t\n"
                                     "801\tx\t401200\tbad\t0\tm\n";

        cb_init(&b);
        cb_prstatus(&b, 800, 0, 0x401000, STACK + 0x1000, 0);
        cb_prstatus(&b, 801, 0, 0x401000, STACK + 0x1800, 0);
        cb_prstatus(&b, 802, 0, 0x401000, STACK + 0x1c00, 0);
        cb_note(&b, MEMSNAP_NOTE_NAME, MEMSNAP_NT_SETTINGS, settings, sizeof(settings) - 1);
        cb_note(&b, MEMSNAP_NOTE_NAME, MEMSNAP_NT_THREADS, names, sizeof(names) - 1);
        cb_note(&b, MEMSNAP_NOTE_NAME, MEMSNAP_NT_STACKS, stacks, sizeof(stacks) - 1);
        cb_load(&b, STACK, sizeof(page), page, sizeof(page), PF_R | PF_W);
        run_threads(&r, &b);

        assert_string_equal(thread(&r, 800)->name, "main");
        assert_string_equal(thread(&r, 801)->name, "got\ttab\\and\nline");
        assert_string_equal(thread(&r, 802)->name, "plain");

        assert_int_equal(r.a.threads.nlive_frames, 2);
        const struct live_frame *f = &r.a.threads.live_frames[0];
        assert_int_equal(f->tid, 801);
        assert_int_equal(f->pc, 0x401000);
        assert_string_equal(f->function, "ns\\op\t<int>");
        assert_int_equal(f->offset, 0x10);
        assert_string_equal(f->module, "/opt/lib\\dir/lib.so");
        assert_null(r.a.threads.live_frames[1].function);
        assert_null(r.a.threads.live_frames[1].module);
        assert_true(warned(&r, "malformed line 3"));
        core_run_end(&r);
        cb_free(&b);
}

int main(void)
{
        log_set_level(LOG_LEVEL_ERROR);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_escaped_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
