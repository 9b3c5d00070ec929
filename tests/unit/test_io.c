/* Unit tests for common/io.c: reads that do not stop short. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/io.h"

#define FILE_BYTES 100000

static uint8_t pattern_at(uint32_t i) { return (uint8_t)(i * 7 + i / 251); }

static int file_with_pattern(void)
{
        static uint8_t bytes[FILE_BYTES];
        int fd = memfd_create("test_io", MFD_CLOEXEC);
        assert_true(fd >= 0);
        for (uint32_t i = 0; i < FILE_BYTES; i++)
                bytes[i] = pattern_at(i);
        assert_int_equal(write(fd, bytes, sizeof(bytes)), FILE_BYTES);
        return fd;
}

static void test_pread_full(void **state)
{
        (void)state;
        int fd = file_with_pattern();
        static uint8_t buf[FILE_BYTES];

        assert_int_equal(io_pread_full(fd, buf, 50000, 1000), 50000);
        for (uint32_t i = 0; i < 50000; i++)
                assert_int_equal(buf[i], pattern_at(1000 + i));
        /* Past the end: what there is, then 0. */
        assert_int_equal(io_pread_full(fd, buf, 100, FILE_BYTES - 10), 10);
        assert_int_equal(buf[9], pattern_at(FILE_BYTES - 1));
        assert_int_equal(io_pread_full(fd, buf, 100, FILE_BYTES), 0);
        /* pread leaves the file position alone. */
        assert_int_equal(lseek(fd, 0, SEEK_CUR), FILE_BYTES);
        close(fd);
        assert_int_equal(io_pread_full(fd, buf, 1, 0), -EBADF);
}

/* A pipe fed in pieces: each read(2) returns part, io_read_full keeps going to the end. */
static void test_read_full_pipe(void **state)
{
        (void)state;
        int p[2];
        static uint8_t buf[3 * 4096 + 1];

        assert_int_equal(pipe(p), 0);
        pid_t child = fork();
        assert_true(child >= 0);
        if (child == 0) {
                close(p[0]);
                uint8_t piece[4096];
                for (int k = 0; k < 3; k++) {
                        memset(piece, 'a' + k, sizeof(piece));
                        if (write(p[1], piece, sizeof(piece)) != (ssize_t)sizeof(piece))
                                _exit(1);
                        usleep(20000);
                }
                _exit(0);
        }
        close(p[1]);
        assert_int_equal(io_read_full(p[0], buf, sizeof(buf)), 3 * 4096);
        assert_int_equal(buf[0], 'a');
        assert_int_equal(buf[4096], 'b');
        assert_int_equal(buf[3 * 4096 - 1], 'c');
        int status;
        assert_int_equal(waitpid(child, &status, 0), child);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        close(p[0]);
}

/* io_read_full reads from the file position and moves it. */
static void test_read_full_position(void **state)
{
        (void)state;
        int fd = file_with_pattern();
        uint8_t buf[16];

        assert_int_equal(lseek(fd, FILE_BYTES - 20, SEEK_SET), FILE_BYTES - 20);
        assert_int_equal(io_read_full(fd, buf, 16), 16);
        assert_int_equal(buf[0], pattern_at(FILE_BYTES - 20));
        assert_int_equal(io_read_full(fd, buf, 16), 4);
        assert_int_equal(buf[3], pattern_at(FILE_BYTES - 1));
        assert_int_equal(io_read_full(fd, buf, 16), 0);
        close(fd);
        assert_int_equal(io_read_full(fd, buf, 1), -EBADF);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_pread_full),
                cmocka_unit_test(test_read_full_pipe),
                cmocka_unit_test(test_read_full_position),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
