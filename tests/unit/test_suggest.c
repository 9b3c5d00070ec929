/* Unit tests for common/suggest.c: the distance, and which names a typo gets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/suggest.h"

static const char *const commands[] = { "analyze", "capture", "diff", "help", "query", "report", "stacks", "version", NULL };
static const char *const reports[] = { "heap", "leaks", "segments", "sizes", "summary", "threads", "top", NULL };

static void test_distance(void **state)
{
        (void)state;
        assert_int_equal(suggest_distance("capture", "capture"), 0);
        assert_int_equal(suggest_distance("captur", "capture"), 1);   /* a letter left out */
        assert_int_equal(suggest_distance("capturre", "capture"), 1); /* one too many */
        assert_int_equal(suggest_distance("caption", "capture"), 3);
        assert_int_equal(suggest_distance("lekas", "leaks"), 1);      /* two neighbours swapped */
        assert_int_equal(suggest_distance("ca", "ac"), 1);
        assert_int_equal(suggest_distance("", "top"), 3);
        assert_int_equal(suggest_distance("abc", ""), 3);
        /* optimal string alignment: a swapped pair is not edited again */
        assert_int_equal(suggest_distance("ca", "abc"), 3);
        char longword[SUGGEST_WORD_MAX + 2];
        memset(longword, 'a', sizeof(longword) - 1);
        longword[sizeof(longword) - 1] = '\0';
        assert_int_equal(suggest_distance(longword, "a"), SIZE_MAX);
}

static void test_nearest(void **state)
{
        (void)state;
        char buf[128];

        assert_int_equal(suggest_nearest("captur", commands, buf, sizeof(buf)), 1);
        assert_string_equal(buf, "'capture'");
        assert_int_equal(suggest_nearest("reprot", commands, buf, sizeof(buf)), 1);
        assert_string_equal(buf, "'report'");
        assert_int_equal(suggest_nearest("anlayze", commands, buf, sizeof(buf)), 1);
        assert_string_equal(buf, "'analyze'");
        /* a command cut short */
        assert_int_equal(suggest_nearest("cap", commands, buf, sizeof(buf)), 1);
        assert_string_equal(buf, "'capture'");
        /* nothing near: no suggestion */
        assert_int_equal(suggest_nearest("frobnicate", commands, buf, sizeof(buf)), 0);
        assert_string_equal(buf, "");
        assert_int_equal(suggest_nearest("x", commands, buf, sizeof(buf)), 0);
        /* ties: every name at the best distance, in list order */
        assert_int_equal(suggest_nearest("lekas", reports, buf, sizeof(buf)), 1);
        assert_string_equal(buf, "'leaks'");
        assert_int_equal(suggest_nearest("s", reports, buf, sizeof(buf)), 0);
        assert_int_equal(suggest_nearest("tap", reports, buf, sizeof(buf)), 1);
        assert_string_equal(buf, "'top'");
        assert_int_equal(suggest_nearest("sizs", reports, buf, sizeof(buf)), 1);
        assert_string_equal(buf, "'sizes'");
        static const char *const three[] = { "abcd", "abce", "abcf", NULL };
        assert_int_equal(suggest_nearest("abcx", three, buf, sizeof(buf)), 3);
        assert_string_equal(buf, "'abcd', 'abce' or 'abcf'");
        /* a buffer too small keeps whole names only */
        char small[10];
        assert_int_equal(suggest_nearest("abcx", three, small, sizeof(small)), 1);
        assert_string_equal(small, "'abcd'");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_distance),
                cmocka_unit_test(test_nearest),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
