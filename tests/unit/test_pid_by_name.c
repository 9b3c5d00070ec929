/* Unit tests for capture/pid_by_name.c: which comm a name matches, and a child found by the name it gave itself. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture/pid_by_name.h"

static void test_matches(void **state)
{
        (void)state;
        assert_true(pid_by_name_matches("python3", "python3"));
        assert_false(pid_by_name_matches("python3", "python"));
        assert_false(pid_by_name_matches("python", "python3"));
        assert_true(pid_by_name_matches("python3", "/usr/bin/python3"));
        assert_false(pid_by_name_matches("python3", "/usr/bin/"));
        assert_false(pid_by_name_matches("", ""));
        /* the kernel keeps 15 bytes of a longer name */
        assert_true(pid_by_name_matches("systemd-journal", "systemd-journald"));
        assert_false(pid_by_name_matches("systemd-journa", "systemd-journald"));
        /* any longer name with those 15 bytes: the kernel cannot tell them apart */
        assert_true(pid_by_name_matches("systemd-journal", "systemd-journal-x"));
        assert_true(pid_by_name_matches("systemd-journal", "systemd-journal"));
}

static void test_find_child(void **state)
{
        (void)state;
        /* a name no other process carries, set by the child itself (prctl), read back through /proc */
        static const char name[] = "memsnap-t-pbn";
        int p[2];
        assert_int_equal(pipe(p), 0);
        pid_t child = fork();
        assert_true(child >= 0);
        if (child == 0) {
                prctl(PR_SET_NAME, name);
                close(p[0]);
                (void)!write(p[1], "x", 1);
                pause();
                _exit(0);
        }
        close(p[1]);
        char c;
        assert_int_equal(read(p[0], &c, 1), 1);
        close(p[0]);

        pid_t pids[4] = { 0 };
        size_t n = pid_by_name_find(name, pids, 4);
        size_t none = pid_by_name_find("memsnap-t-none", pids + 1, 3);
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        assert_int_equal(n, 1);
        assert_int_equal(pids[0], child);
        assert_int_equal(none, 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_matches),
                cmocka_unit_test(test_find_child),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
