/* Unit tests for capture/cgroup_memory.c: the lines of /proc/PID/cgroup. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture/cgroup_memory.h"

static void test_line_split(void **state)
{
        char v2[] = "0::/user.slice/session-1.scope\n", v1[] = "4:memory:/process_api/abc\n";
        char multi[] = "7:cpu,cpuacct:/\n", bad[] = "no colons here\n", rel[] = "1:name=x:relative\n";
        const char *ctl, *path;
        size_t clen;

        assert_int_equal(cgroup_memory_line_split(v2, &ctl, &clen, &path), 0);
        assert_int_equal(clen, 0);
        assert_string_equal(path, "/user.slice/session-1.scope");
        assert_int_equal(cgroup_memory_line_split(v1, &ctl, &clen, &path), 0);
        assert_int_equal(clen, 6);
        assert_memory_equal(ctl, "memory", 6);
        assert_string_equal(path, "/process_api/abc");
        assert_int_equal(cgroup_memory_line_split(multi, &ctl, &clen, &path), 0);
        assert_int_equal(clen, strlen("cpu,cpuacct"));
        assert_string_equal(path, "/");
        assert_int_equal(cgroup_memory_line_split(bad, &ctl, &clen, &path), -EINVAL);
        assert_int_equal(cgroup_memory_line_split(rel, &ctl, &clen, &path), -EINVAL);
}

static void test_room_of_self(void **state)
{
        char where[4200];
        /* This process: some room, named by MemAvailable or a cgroup folder. */
        uint64_t room = cgroup_memory_room(getpid(), where, sizeof(where));
        assert_true(room > 0);
        assert_true(strcmp(where, "MemAvailable") == 0 || strncmp(where, "/sys/fs/cgroup", 14) == 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_line_split),
                cmocka_unit_test(test_room_of_self),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
