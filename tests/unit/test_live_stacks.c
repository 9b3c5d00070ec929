/*
 * Unit tests for capture/live_stacks.c: the note's lines and eu-stack's
 * layout from collected frames, and naming frames with libdwfl against
 * memsnap's own maps (this very function must be found).
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture/live_stacks.h"
#include "capture/own_vdso.h"
#include "capture/proc_read.h"
#include "common/text_escape.h"

static struct live_stacks two_frames(void)
{
        struct live_stacks ls = { 0 };
        ls.v = calloc(2, sizeof(*ls.v));
        ls.n = ls.cap = 2;
        ls.v[0] = (struct live_frame_rec){ .tid = 7, .depth = 0, .pc = 0x7f0000001234, .activation = true,
                                           .function = strdup("read"), .offset = 0x14, .module = strdup("/lib/libc.so.6") };
        ls.v[1] = (struct live_frame_rec){ .tid = 7, .depth = 1, .pc = 0x555555555abc };
        ls.threads = calloc(1, sizeof(*ls.threads));
        ls.threads[0] = (struct live_thread_rec){ .tid = 7, .first = 0, .count = 2 };
        ls.nthreads = 1;
        return ls;
}

static void test_format(void **state)
{
        (void)state;
        struct live_stacks ls = two_frames();
        char *text;
        size_t len;
        assert_int_equal(live_stacks_format(&ls, &text, &len), 0);
        assert_string_equal(text, "7\t0\t7f0000001234\tread\t14\t/lib/libc.so.6\n"
                                  "7\t1\t555555555abc\t\t0\t\n");
        free(text);

        char *out = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&out, &size);
        live_stacks_print(&ls, 7, true, f);
        fclose(f);
        assert_string_equal(out, "PID 7 - process\n"
                                 "TID 7:\n"
                                 "#0  0x00007f0000001234 read - /lib/libc.so.6\n"
                                 "#1  0x0000555555555abc\n");
        free(out);
        live_stacks_free(&ls);
}

/* Names with a tab, a newline or a backslash stay one field each, and read back whole. */
static void test_format_escaped(void **state)
{
        (void)state;
        struct live_stacks ls = two_frames();
        free(ls.v[0].function);
        free(ls.v[0].module);
        ls.v[0].function = strdup("operator\t<<\\");
        ls.v[0].module = strdup("/opt/my lib\n.so");
        char *text;
        size_t len;
        assert_int_equal(live_stacks_format(&ls, &text, &len), 0);
        assert_string_equal(text, "7\t0\t7f0000001234\toperator\\t<<\\\\\t14\t/opt/my lib\\n.so\n"
                                  "7\t1\t555555555abc\t\t0\t\n");
        const char *f3 = text;
        for (int i = 0; i < 3; i++)
                f3 = strchr(f3, '\t') + 1;
        const char *e3 = strchr(f3, '\t');
        char *function = text_escape_undo(f3, (size_t)(e3 - f3));
        assert_string_equal(function, ls.v[0].function);
        const char *f5 = strchr(e3 + 1, '\t') + 1;
        char *module = text_escape_undo(f5, (size_t)(strchr(f5, '\n') - f5));
        assert_string_equal(module, ls.v[0].module);
        free(function);
        free(module);
        free(text);
        live_stacks_free(&ls);
}

static __attribute__((noinline)) uintptr_t here(void)
{
        return (uintptr_t)__builtin_return_address(0);
}

static void test_symbolize(void **state)
{
        (void)state;
        char *text;
        size_t len, bad;
        struct map_list maps = { 0 };
        assert_int_equal(proc_read_at(AT_FDCWD, "/proc/self/maps", &text, &len), 0);
        assert_int_equal(proc_maps_parse(text, len, &maps, &bad), 0);

        /* A return address inside this function: named as eu-stack would, from pc - 1. */
        struct live_stacks ls = { 0 };
        ls.v = calloc(1, sizeof(*ls.v));
        ls.n = ls.cap = 1;
        ls.v[0] = (struct live_frame_rec){ .tid = 1, .pc = here(), .activation = false };
        const uint8_t *vdso;
        size_t vdso_len;
        own_vdso_find(&vdso, &vdso_len);
        live_stacks_symbolize(&ls, getpid(), &maps, vdso, vdso_len);
        assert_non_null(ls.v[0].function);
        assert_string_equal(ls.v[0].function, "test_symbolize");
        assert_non_null(ls.v[0].module);
        assert_non_null(strstr(ls.v[0].module, "test_live_stacks"));
        live_stacks_free(&ls);
        map_list_free(&maps);
        free(text);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_format),
                cmocka_unit_test(test_format_escaped),
                cmocka_unit_test(test_symbolize),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
