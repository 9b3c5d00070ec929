/* Unit tests for capture/ptrace_permission.c: which rule is named for which facts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "capture/ptrace_permission.h"

static struct ptrace_facts same_user(void)
{
        struct ptrace_facts f = { .pid = 42, .yama_scope = -1, .our_uid = 1000, .our_gid = 1000,
                                  .target_known = true, .target_dumpable = true };
        strcpy(f.comm, "app");
        for (int i = 0; i < 3; i++) {
                f.target_uid[i] = 1000;
                f.target_gid[i] = 1000;
        }
        return f;
}

static const char *why(const struct ptrace_facts *f)
{
        static char buf[512];
        ptrace_permission_denied_reason(f, buf, sizeof(buf));
        return buf;
}

static void test_reasons(void **state)
{
        (void)state;
        struct ptrace_facts f = same_user();
        /* Nothing in the facts forbids it: a security module did. */
        assert_non_null(strstr(why(&f), "security module"));

        f = same_user();
        f.target_uid[0] = f.target_uid[1] = f.target_uid[2] = 0;
        assert_non_null(strstr(why(&f), "process 42 (app) belongs to uid 0 and memsnap runs as uid 1000"));
        f.cap_sys_ptrace = true;
        assert_null(strstr(why(&f), "belongs to uid"));

        f = same_user();
        f.target_gid[1] = 5; /* a setgid program */
        assert_non_null(strstr(why(&f), "group ids"));

        f = same_user();
        f.target_dumpable = false;
        assert_non_null(strstr(why(&f), "not dumpable"));
        f.cap_sys_ptrace = true;
        assert_null(strstr(why(&f), "not dumpable"));

        f = same_user();
        f.yama_scope = 1;
        assert_non_null(strstr(why(&f), "ptrace_scope is 1"));
        f.descendant = true;
        assert_null(strstr(why(&f), "ptrace_scope"));
        f = same_user();
        f.yama_scope = 2;
        assert_non_null(strstr(why(&f), "ptrace_scope is 2"));
        f.cap_sys_ptrace = true;
        assert_null(strstr(why(&f), "ptrace_scope"));
        /* Scope 3 refuses even root, and says so before anything else. */
        f = same_user();
        f.yama_scope = 3;
        f.target_dumpable = false;
        assert_non_null(strstr(why(&f), "ptrace_scope is 3"));

        f = same_user();
        f.kernel_thread = true;
        assert_non_null(strstr(why(&f), "kernel thread"));
}

int main(void)
{
        const struct CMUnitTest tests[] = { cmocka_unit_test(test_reasons) };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
