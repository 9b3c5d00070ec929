/*
 * Unit tests for analyze/skipped.c: which ranges of a MEMSNAP skipped note
 * lose memory and bring a warning that names the range and the reason, and
 * how a later warning about an address inside one is told why.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/skipped.h"

/* As capture writes it (capture/skip_list.c skip_list_format), one line of each kind. */
static const char note[] =
        "400000-401000\ton-disk\t/usr/bin/x: from offset 0x0\n"
        "7f0000001000-7f0000003000\tswapped\tswapped out; reading it would swap it in (--read-swapped reads it)\n"
        "7f0000005000-7f0000006000\tunreadable\tpresent but not readable: Bad address\n"
        "7f0000010000-7f0000011000\tguard\t\n"
        "7ffff7fc0000-7ffff7fc4000\tvvar\t[vvar]\n"
        "7ffff7fd0000-7ffff7fd1000\tdontdump\ta tab\\there\n"
        "ffffffffff600000-ffffffffff601000\tvsyscall\t[vsyscall]\n";

static bool has_warning(const struct warnings *w, uint64_t address, const char *part1, const char *part2)
{
        for (size_t i = 0; i < w->n; i++)
                if (w->v[i].address == address && strstr(w->v[i].message, part1) && strstr(w->v[i].message, part2))
                        return true;
        return false;
}

static void test_parse(void **state)
{
        (void)state;
        struct skipped_list l = { 0 };
        struct warnings w = { 0 };

        assert_int_equal(skipped_parse(note, strlen(note), &l, &w), 0);
        /* Only what loses memory is kept, and warned about once each. */
        assert_int_equal(l.n, 3);
        assert_int_equal(w.n, 3);
        assert_true(l.v[0].start == 0x7f0000001000 && l.v[0].end == 0x7f0000003000);
        assert_string_equal(l.v[0].reason, "swapped");
        assert_string_equal(l.v[2].detail, "a tab\there");
        assert_true(has_warning(&w, 0x7f0000001000, "0x7f0000001000-0x7f0000003000 (8.00 KiB)", "'swapped'"));
        assert_true(has_warning(&w, 0x7f0000005000, "0x7f0000005000-0x7f0000006000", "'unreadable'"));
        assert_true(has_warning(&w, 0x7ffff7fd0000, "0x7ffff7fd0000-0x7ffff7fd1000", "'dontdump'"));
        assert_string_equal(w.v[0].stage, "skipped");

        assert_null(skipped_find(&l, 0x7f0000000fff));
        assert_ptr_equal(skipped_find(&l, 0x7f0000001000), &l.v[0]);
        assert_ptr_equal(skipped_find(&l, 0x7f0000002fff), &l.v[0]);
        assert_null(skipped_find(&l, 0x7f0000003000));
        assert_null(skipped_find(&l, 0x400000)); /* on-disk: nothing lost */
        skipped_list_free(&l);
        warnings_free(&w);
}

/* A chunk of 0x40 bytes at 0x7f0000000fe0: its successor's header is the first word of the swapped range. */
static uint64_t fake_next(void *ud, uint64_t address)
{
        (void)ud;
        return address == 0x7f0000000fe0 ? address + 0x40 : 0;
}

static void test_explain(void **state)
{
        (void)state;
        struct skipped_list l = { 0 };
        struct warnings w = { 0 };

        assert_int_equal(skipped_parse(note, strlen(note), &l, &w), 0);
        warnings_add(&w, "heap", 0x7f0000002010, "main arena: chunk 0x7f0000002010 has size 0; the walk stops");
        warnings_add(&w, "heap", 0x7f0000004000, "elsewhere");
        warnings_add(&w, "heap", 0, "no address");
        warnings_add(&w, "heap", 0x7f0000000fe0, "chunk 0x7f0000000fe0 looks free");
        skipped_explain_warnings(&l, &w, fake_next, NULL, NULL);
        assert_true(has_warning(&w, 0x7f0000002010, "the walk stops; 0x7f0000002010 is in 0x7f0000001000-0x7f0000003000",
                                "left out of the core as 'swapped'"));
        assert_true(has_warning(&w, 0x7f0000000fe0, "looks free; the next chunk's header 0x7f0000001020 is in 0x7f0000001000-",
                                "as 'swapped': its bytes are unknown, not zeros"));
        assert_string_equal(w.v[w.n - 3].message, "elsewhere");
        assert_string_equal(w.v[w.n - 2].message, "no address");
        /* The skipped stage's own warnings are not told twice. */
        assert_null(strstr(w.v[0].message, "; 0x"));
        skipped_list_free(&l);
        warnings_free(&w);
}

/* Lines that are not ranges are said, never taken; overlapping ranges of a crafted note are all found. */
static void test_malformed(void **state)
{
        (void)state;
        static const char bad[] = "junk\n"
                                  "5000-4000\tswapped\t\n"
                                  "1000-9000\tswapped\n"
                                  "2000-3000\tunreadable\tx\n"
                                  "zz-30\tswapped\t\n"
                                  "\n";
        struct skipped_list l = { 0 };
        struct warnings w = { 0 };

        assert_int_equal(skipped_parse(bad, strlen(bad), &l, &w), 0);
        assert_int_equal(l.n, 2);
        assert_true(has_warning(&w, 0, "line 1 of the MEMSNAP skipped note", "not known"));
        assert_true(has_warning(&w, 0, "line 2 of", ""));
        assert_true(has_warning(&w, 0, "line 5 of", ""));
        assert_ptr_equal(skipped_find(&l, 0x2500), &l.v[1]);
        assert_ptr_equal(skipped_find(&l, 0x8000), &l.v[0]);
        assert_null(skipped_find(&l, 0x9000));
        skipped_list_free(&l);
        warnings_free(&w);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_explain),
                cmocka_unit_test(test_malformed),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
