/* Unit tests for capture/backing_file.c: finding a mapped file by path and inode, caching, reading past its end. */
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
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture/backing_file.h"

static void test_backing_file(void **state)
{
        (void)state;
        char path[] = "/var/tmp/test-backing-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, "0123456789", 10), 10);
        struct stat st;
        assert_int_equal(fstat(fd, &st), 0);
        close(fd);

        int root = open("/", O_RDONLY | O_DIRECTORY); /* no map_files here: the path is used */
        struct backing_files b = BACKING_FILES_INIT;
        b.proc_fd = root;
        struct map_entry e = { .start = 0x1000, .end = 0x2000, .inode = st.st_ino, .path = path,
                               .dev_major = major(st.st_dev), .dev_minor = minor(st.st_dev) };
        const struct backing_file *f = backing_file_get(&b, &e);
        assert_non_null(f);
        assert_true(f->fd >= 0);
        assert_int_equal(f->size, 10);
        /* Cached: the same file for another mapping of it. */
        struct map_entry e2 = e;
        e2.start = 0x5000;
        e2.end = 0x6000;
        assert_ptr_equal(backing_file_get(&b, &e2), f);
        assert_int_equal(b.n, 1);

        char buf[16];
        assert_int_equal(backing_file_pread(f, buf, 16, 4), 0);
        assert_memory_equal(buf, "456789\0\0\0\0\0\0\0\0\0\0", 16);

        /* The path now names another inode: refused, not read. */
        struct map_entry stale = e;
        stale.inode = st.st_ino + 1;
        const struct backing_file *s = backing_file_get(&b, &stale);
        assert_non_null(s);
        assert_int_equal(s->fd, -1);
        assert_int_equal(s->err, ESTALE);
        assert_int_equal(backing_file_pread(s, buf, 1, 0), -ESTALE);

        /* A deleted file is only reachable through map_files. */
        struct map_entry gone = e;
        gone.inode = 77;
        gone.deleted = true;
        assert_int_equal(backing_file_get(&b, &gone)->err, ENOENT);

        backing_files_close(&b);
        close(root);
        unlink(path);
}

int main(void)
{
        const struct CMUnitTest tests[] = { cmocka_unit_test(test_backing_file) };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
