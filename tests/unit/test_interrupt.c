/* Unit tests for capture/interrupt.c: blocked signals are noticed, not obeyed. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture/interrupt.h"

static void test_interrupt(void **state)
{
        (void)state;
        struct interrupt_guard g;
        assert_int_equal(interrupt_guard_begin(&g), 0);
        assert_false(interrupt_check(&g));
        /* No child: the wait times out. */
        assert_int_equal(interrupt_wait_child(&g, 10), 0);

        /* SIGTERM does not kill us while blocked; it is seen and remembered. */
        raise(SIGTERM);
        assert_true(interrupt_check(&g));
        assert_int_equal(g.signal, SIGTERM);
        assert_true(interrupt_check(&g));
        assert_int_equal(interrupt_wait_child(&g, 10), -EINTR);

        /* A child's exit wakes the wait. */
        interrupt_guard_end(&g);
        assert_int_equal(interrupt_guard_begin(&g), 0);
        pid_t c = fork();
        if (c == 0)
                _exit(0);
        assert_int_equal(interrupt_wait_child(&g, 5000), 1);
        interrupt_guard_end(&g);
        interrupt_guard_end(&g); /* idempotent */
}

static void test_pending_at_end(void **state)
{
        (void)state;
        struct interrupt_guard g;

        /* A signal after the last check is taken at the end, not delivered (it would kill us). */
        assert_int_equal(interrupt_guard_begin(&g), 0);
        raise(SIGINT);
        interrupt_guard_end(&g);
        assert_int_equal(g.signal, SIGINT);

        /* One seen, then another: the first is what interrupted, the second must not kill. */
        assert_int_equal(interrupt_guard_begin(&g), 0);
        raise(SIGTERM);
        assert_true(interrupt_check(&g));
        raise(SIGHUP);
        interrupt_guard_end(&g);
        assert_int_equal(g.signal, SIGTERM);

        sigset_t pending;
        assert_int_equal(sigpending(&pending), 0);
        assert_false(sigismember(&pending, SIGINT) || sigismember(&pending, SIGTERM) || sigismember(&pending, SIGHUP));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_interrupt),
                cmocka_unit_test(test_pending_at_end),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
