/* Unit tests for capture/sparse_write.c: zero pages stay holes, the rest lands where it should. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture/sparse_write.h"

#define PS 4096

static void test_zero(void **state)
{
        (void)state;
        uint8_t b[PS] = { 0 };
        assert_true(sparse_write_is_zero(b, sizeof(b)));
        assert_true(sparse_write_is_zero(b, 0));
        b[PS - 1] = 1;
        assert_false(sparse_write_is_zero(b, sizeof(b)));
        b[PS - 1] = 0;
        b[0] = 1;
        assert_false(sparse_write_is_zero(b, sizeof(b)));
}

static void test_sparse(void **state)
{
        (void)state;
        char path[] = "/var/tmp/test-sparse-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        unlink(path);

        /* 64 pages: data in pages 0, 10 and 63 (a partial page), zeros elsewhere. */
        size_t len = 63 * PS + 100;
        uint8_t *d = calloc(1, len);
        memset(d, 0xaa, PS);
        memset(d + 10 * PS + 7, 0xbb, 3);
        memset(d + 63 * PS, 0xcc, 100);
        uint64_t off = 1 << 20;
        assert_int_equal(sparse_write_range(fd, path, d, len, off, PS), 0);
        assert_int_equal(ftruncate(fd, (off_t)(off + len)), 0);

        uint8_t *back = malloc(len);
        assert_int_equal(pread(fd, back, len, (off_t)off), (ssize_t)len);
        assert_memory_equal(back, d, len);

        /* Only the three data pages take blocks (where the file system does holes). */
        struct stat st;
        assert_int_equal(fstat(fd, &st), 0);
        off_t data = lseek(fd, 0, SEEK_DATA);
        if (data >= 0 && lseek(fd, data, SEEK_HOLE) < st.st_size)
                assert_true(st.st_blocks * 512 <= 8 * PS);
        free(back);
        free(d);
        close(fd);

        assert_int_equal(sparse_write_full(-1, "nowhere", "x", 1, 0), -EBADF);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_zero),
                cmocka_unit_test(test_sparse),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
