/* Unit tests for capture/stage.c: the limit, taking, growing, and the default. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "capture/stage.h"

static void test_stage(void **state)
{
        (void)state;
        struct stage s = STAGE_INIT;
        s.limit = 1 << 20;
        assert_null(stage_take(&s, 1));
        assert_int_equal(stage_reserve(&s, 100000, true), 0);
        assert_int_equal(s.size, 102400); /* whole pages */
        /* Grows while nothing is taken; never past the limit. */
        assert_int_equal(stage_reserve(&s, 10 << 20, false), 0);
        assert_int_equal(s.size, 1 << 20);
        uint8_t *a = stage_take(&s, 1000);
        uint8_t *b = stage_take(&s, (1 << 20) - 1000);
        assert_non_null(a);
        assert_ptr_equal(b, a + 1000);
        memset(a, 1, 1 << 20);
        assert_null(stage_take(&s, 1));
        stage_release(&s);
        assert_null(s.base);

        /* A limit of 0: no stage at all. */
        s.limit = 0;
        assert_int_equal(stage_reserve(&s, 4096, true), 0);
        assert_null(stage_take(&s, 1));
        stage_release(&s);

        assert_true(stage_default_limit() > 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = { cmocka_unit_test(test_stage) };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
