/* Unit tests for capture/target_check.c: the checks on real processes. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture/target_check.h"

static void test_checks(void **state)
{
        (void)state;
        struct target_check t = TARGET_CHECK_INIT;
        /* memsnap cannot stop itself. */
        assert_int_equal(target_check(&t, getpid()), -EINVAL);
        target_check_close(&t);
        /* The parent is a process we could stop: the checks pass. */
        t = (struct target_check)TARGET_CHECK_INIT;
        assert_int_equal(target_check(&t, getppid()), 0);
        assert_int_equal(t.pid, getppid());
        assert_true(t.proc_fd >= 0);
        target_check_close(&t);
}

static void *sleep_on(void *arg)
{
        (void)arg;
        for (;;)
                pause();
        return NULL;
}

static char state_of(pid_t pid)
{
        char path[64], buf[512];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        FILE *f = fopen(path, "r");
        if (!f)
                return 0;
        size_t n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[n] = '\0';
        const char *close = strrchr(buf, ')');
        return close && close[1] == ' ' ? close[2] : 0;
}

/* A main thread that called pthread_exit is a zombie; its process lives on in its other threads. */
static void test_zombie_main(void **state)
{
        (void)state;
        pid_t c = fork();
        assert_true(c >= 0);
        if (c == 0) {
                pthread_t t;
                if (pthread_create(&t, NULL, sleep_on, NULL) != 0)
                        _exit(1);
                pthread_exit(NULL);
        }
        for (int i = 0; i < 5000 && state_of(c) != 'Z'; i++)
                usleep(1000);
        assert_int_equal(state_of(c), 'Z');

        struct target_check t = TARGET_CHECK_INIT;
        assert_int_equal(target_check(&t, c), 0);
        target_check_close(&t);

        kill(c, SIGKILL);
        waitpid(c, NULL, 0);
        /* Dead for good: refused. */
        t = (struct target_check)TARGET_CHECK_INIT;
        assert_true(target_check(&t, c) < 0);
        target_check_close(&t);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_checks),
                cmocka_unit_test(test_zombie_main),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
