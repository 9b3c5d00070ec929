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
        sigset_t none, pending;
        sigemptyset(&none);
        assert_int_equal(sigprocmask(SIG_SETMASK, &none, NULL), 0);

        /* A signal after the last check is taken at the end, not delivered (it would kill us). */
        assert_int_equal(interrupt_guard_begin(&g), 0);
        raise(SIGINT);
        interrupt_guard_end(&g);
        assert_int_equal(g.signal, SIGINT);

        /* One seen, then another: the first is what interrupted, the second must not kill. */
        assert_int_equal(sigprocmask(SIG_SETMASK, &none, NULL), 0);
        assert_int_equal(interrupt_guard_begin(&g), 0);
        raise(SIGTERM);
        assert_true(interrupt_check(&g));
        raise(SIGHUP);
        interrupt_guard_end(&g);
        assert_int_equal(g.signal, SIGTERM);

        assert_int_equal(sigpending(&pending), 0);
        assert_false(sigismember(&pending, SIGINT) || sigismember(&pending, SIGTERM) || sigismember(&pending, SIGHUP));
}

/*
 * A caller that blocks the signals itself (snap, watch) gets them back,
 * pending: one after the last check is left untaken, the one that
 * interrupted the capture is raised again.
 */
static void test_pending_for_caller(void **state)
{
        (void)state;
        struct interrupt_guard g;
        sigset_t none, pending;
        const struct timespec zero = { 0, 0 };
        sigemptyset(&none);
        assert_int_equal(sigprocmask(SIG_SETMASK, &none, NULL), 0);
        assert_int_equal(interrupt_block_early(), 0);

        assert_int_equal(interrupt_guard_begin(&g), 0);
        raise(SIGINT);
        interrupt_guard_end(&g);
        assert_int_equal(g.signal, 0);
        assert_int_equal(sigpending(&pending), 0);
        assert_true(sigismember(&pending, SIGINT));
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        assert_int_equal(sigtimedwait(&set, NULL, &zero), SIGINT);

        assert_int_equal(interrupt_guard_begin(&g), 0);
        raise(SIGTERM);
        assert_true(interrupt_check(&g));
        interrupt_guard_end(&g);
        assert_int_equal(g.signal, SIGTERM);
        assert_int_equal(sigtimedwait(&set, NULL, &zero), SIGTERM);
        assert_int_equal(sigprocmask(SIG_SETMASK, &none, NULL), 0);
}

/* After an interruption, a signal on the way out is held, not obeyed: memsnap exits 1 as it said. */
static void test_held_after_interrupt(void **state)
{
        (void)state;
        struct interrupt_guard g;
        sigset_t none, pending;
        sigemptyset(&none);
        assert_int_equal(sigprocmask(SIG_SETMASK, &none, NULL), 0);

        assert_int_equal(interrupt_guard_begin(&g), 0);
        raise(SIGTERM);
        assert_true(interrupt_check(&g));
        interrupt_guard_end(&g);
        raise(SIGTERM); /* would end this test program with status 143 */
        assert_int_equal(sigpending(&pending), 0);
        assert_true(sigismember(&pending, SIGTERM));

        /* Not interrupted: the mask is given back as it was. */
        sigset_t term;
        sigemptyset(&term);
        sigaddset(&term, SIGTERM);
        const struct timespec zero = { 0, 0 };
        assert_int_equal(sigtimedwait(&term, NULL, &zero), SIGTERM);
        assert_int_equal(sigprocmask(SIG_SETMASK, &none, NULL), 0);
        assert_int_equal(interrupt_guard_begin(&g), 0);
        interrupt_guard_end(&g);
        sigset_t now;
        assert_int_equal(sigprocmask(SIG_SETMASK, NULL, &now), 0);
        assert_false(sigismember(&now, SIGTERM) || sigismember(&now, SIGCHLD));
}

/* The wait for SIGCHLD alone ignores an interrupting signal: it stays pending. */
static void test_wait_child_only(void **state)
{
        (void)state;
        struct interrupt_guard g;
        assert_int_equal(interrupt_guard_begin(&g), 0);
        raise(SIGHUP);
        pid_t c = fork();
        if (c == 0)
                _exit(0);
        assert_int_equal(interrupt_wait_child_only(&g, 5000), 1);
        assert_int_equal(interrupt_wait_child_only(&g, 10), 0);
        assert_true(interrupt_check(&g));
        assert_int_equal(g.signal, SIGHUP);
        interrupt_guard_end(&g);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_interrupt),
                cmocka_unit_test(test_pending_at_end),
                cmocka_unit_test(test_pending_for_caller),
                cmocka_unit_test(test_held_after_interrupt),
                cmocka_unit_test(test_wait_child_only),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
