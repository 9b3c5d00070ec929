/*
 * Unit tests for capture/test_hold.c: the settings it accepts and refuses,
 * and one hold through a real pair of FIFOs.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture/test_hold.h"

static void test_settings(void **state)
{
        (void)state;
        struct test_hold h;

        unsetenv("MEMSNAP_TEST_HOLD");
        unsetenv("MEMSNAP_TEST_HOLD_FIFO");
        assert_int_equal(test_hold_init(&h), 0);
        assert_null(h.phases);
        test_hold_at(&h, "copying"); /* off: returns at once */
        test_hold_at(NULL, "copying");

        setenv("MEMSNAP_TEST_HOLD", "copying,writting", 1);
        setenv("MEMSNAP_TEST_HOLD_FIFO", "/nonexistent/hold", 1);
        assert_int_equal(test_hold_init(&h), -EINVAL);

        setenv("MEMSNAP_TEST_HOLD", "copying,writing", 1);
        unsetenv("MEMSNAP_TEST_HOLD_FIFO");
        assert_int_equal(test_hold_init(&h), -EINVAL);

        setenv("MEMSNAP_TEST_HOLD_FIFO", "/nonexistent/hold", 1);
        assert_int_equal(test_hold_init(&h), 0);
        assert_string_equal(h.phases, "copying,writing");
        /* "copy" is a prefix of a listed phase, not one: no hold, so no open of the missing FIFO. */
        test_hold_at(&h, "copy");
        test_hold_at(&h, "stopping");
        test_hold_free(&h);
        unsetenv("MEMSNAP_TEST_HOLD");
        unsetenv("MEMSNAP_TEST_HOLD_FIFO");
}

static void test_hold_once(void **state)
{
        (void)state;
        char dir[] = "/tmp/memsnap-test-hold.XXXXXX";
        assert_non_null(mkdtemp(dir));
        char base[64], held[80], go[80];
        snprintf(base, sizeof(base), "%s/hold", dir);
        snprintf(held, sizeof(held), "%s.held", base);
        snprintf(go, sizeof(go), "%s.go", base);
        assert_int_equal(mkfifo(held, 0600), 0);
        assert_int_equal(mkfifo(go, 0600), 0);
        /* Read-write, as the tests open them: neither side blocks in open. */
        int hfd = open(held, O_RDWR);
        int gfd = open(go, O_RDWR);
        assert_true(hfd >= 0 && gfd >= 0);
        assert_int_equal(write(gfd, "go\n", 3), 3); /* released before it holds: it goes straight on */

        setenv("MEMSNAP_TEST_HOLD", "renaming", 1);
        setenv("MEMSNAP_TEST_HOLD_FIFO", base, 1);
        struct test_hold h;
        assert_int_equal(test_hold_init(&h), 0);
        test_hold_at(&h, "renaming");
        char line[32] = { 0 };
        assert_int_equal(read(hfd, line, sizeof(line) - 1), 9);
        assert_string_equal(line, "renaming\n");
        test_hold_free(&h);

        close(hfd);
        close(gfd);
        unlink(held);
        unlink(go);
        rmdir(dir);
        unsetenv("MEMSNAP_TEST_HOLD");
        unsetenv("MEMSNAP_TEST_HOLD_FIFO");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_settings),
                cmocka_unit_test(test_hold_once),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
