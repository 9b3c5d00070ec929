/* Unit tests for capture/proc_read.c: the pid parser, /proc/PID/stat from fixtures, files read whole. */
#include <errno.h>
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

#include "capture/proc_read.h"

static void test_parse_pid(void **state)
{
        (void)state;
        pid_t p;
        assert_int_equal(proc_read_parse_pid("1234", &p), 0);
        assert_int_equal(p, 1234);
        assert_int_equal(proc_read_parse_pid("0", &p), -EINVAL);
        assert_int_equal(proc_read_parse_pid("-5", &p), -EINVAL);
        assert_int_equal(proc_read_parse_pid("12x", &p), -EINVAL);
        assert_int_equal(proc_read_parse_pid("", &p), -EINVAL);
        assert_int_equal(proc_read_parse_pid("99999999999", &p), -EINVAL);
        assert_int_equal(proc_read_parse_pid("4194304", &p), 0); /* PID_MAX_LIMIT itself */
        assert_int_equal(proc_read_parse_pid("4194305", &p), -EINVAL);
        assert_int_equal(proc_read_parse_pid(" 12", &p), -EINVAL);
        assert_int_equal(proc_read_parse_pid("+12", &p), -EINVAL);
}

static void test_stat(void **state)
{
        (void)state;
        struct proc_stat st;
        /* comm may hold spaces and parentheses: the last ')' ends it. */
        static const char text[] = "1234 (a (b) c)) S 1000 1234 999 34816 1234 4194560 120 0 0 0 "
                                   "250 37 11 4 20 -5 5 0 123456 1000000 300 18446744073709551615\n";
        assert_int_equal(proc_stat_parse(text, strlen(text), &st), 0);
        assert_string_equal(st.comm, "a (b) c)");
        assert_int_equal(st.state, 'S');
        assert_int_equal(st.ppid, 1000);
        assert_int_equal(st.pgrp, 1234);
        assert_int_equal(st.session, 999);
        assert_int_equal(st.flags, 4194560);
        assert_int_equal(st.utime, 250);
        assert_int_equal(st.stime, 37);
        assert_int_equal(st.cutime, 11);
        assert_int_equal(st.cstime, 4);
        assert_int_equal(st.nice, -5);
        assert_int_equal(st.starttime, 123456);

        static const char kthread[] = "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 2\n";
        assert_int_equal(proc_stat_parse(kthread, strlen(kthread), &st), 0);
        assert_true(st.flags & PROC_PF_KTHREAD);
        assert_int_equal(st.starttime, 2);

        assert_int_equal(proc_stat_parse("1234 churn S 1", 14, &st), -EINVAL);
        static const char short_text[] = "1234 (x) S 1 2 3";
        assert_int_equal(proc_stat_parse(short_text, strlen(short_text), &st), -EINVAL);
}

static void test_read_whole(void **state)
{
        (void)state;
        char path[] = "/tmp/test-proc-read-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        /* Larger than the first buffer, so it has to grow. */
        size_t n = 100000;
        char *data = malloc(n);
        for (size_t i = 0; i < n; i++)
                data[i] = (char)('a' + i % 26);
        assert_int_equal(write(fd, data, n), (ssize_t)n);
        close(fd);

        char *out;
        size_t len;
        assert_int_equal(proc_read_at(AT_FDCWD, path, &out, &len), 0);
        assert_int_equal(len, n);
        assert_memory_equal(out, data, n);
        assert_int_equal(out[len], '\0');
        free(out);
        free(data);
        unlink(path);
        assert_int_equal(proc_read_at(AT_FDCWD, path, &out, &len), -ENOENT);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_pid),
                cmocka_unit_test(test_stat),
                cmocka_unit_test(test_read_whole),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
