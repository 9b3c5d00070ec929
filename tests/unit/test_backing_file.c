/* Unit tests for capture/backing_file.c: finding a mapped file by path and inode, caching, reading past its end. */
#include <elf.h>
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
        assert_false(f->elf);
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

/* Opened ahead from a maps text: each file once, ELF or not, and later asked for without a new open. */
static void test_open_all(void **state)
{
        (void)state;
        char path[] = "/var/tmp/test-backing-elf-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, ELFMAG "rest", SELFMAG + 4), SELFMAG + 4);
        struct stat st, self;
        assert_int_equal(fstat(fd, &st), 0);
        close(fd);
        assert_int_equal(stat("/proc/self/exe", &self), 0);
        char exe[4096];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        assert_true(n > 0);
        exe[n] = '\0';

        char maps[8192];
        snprintf(maps, sizeof(maps),
                 "10000-11000 r--p 00000000 %02x:%02x %llu %s\n"
                 "11000-12000 r-xp 00001000 %02x:%02x %llu %s\n"
                 "20000-21000 rw-p 00000000 00:00 0 \n"
                 "30000-31000 r--p 00000000 %02x:%02x %llu %s\n"
                 "40000-41000 rw-p 00000000 00:00 0 [heap]\n",
                 major(st.st_dev), minor(st.st_dev), (unsigned long long)st.st_ino, path,
                 major(st.st_dev), minor(st.st_dev), (unsigned long long)st.st_ino, path,
                 major(self.st_dev), minor(self.st_dev), (unsigned long long)self.st_ino, exe);
        struct map_list ml = { 0 };
        size_t bad;
        assert_int_equal(proc_maps_parse(maps, strlen(maps), &ml, &bad), 0);

        int root = open("/", O_RDONLY | O_DIRECTORY);
        struct backing_files b = BACKING_FILES_INIT;
        b.proc_fd = root;
        assert_int_equal(backing_files_open_all(&b, &ml), 0);
        assert_int_equal(b.n, 2); /* two files; anonymous memory and [heap] have none */
        const struct backing_file *f = backing_file_get(&b, &ml.v[1]);
        assert_true(f->fd >= 0 && f->elf);
        f = backing_file_get(&b, &ml.v[3]);
        assert_true(f->fd >= 0 && f->elf); /* this very test program */
        assert_int_equal(b.n, 2);

        backing_files_close(&b);
        map_list_free(&ml);
        close(root);
        unlink(path);
}

/* Many files, found again each by its device and inode. */
static void test_many(void **state)
{
        (void)state;
        int root = open("/", O_RDONLY | O_DIRECTORY);
        struct backing_files b = BACKING_FILES_INIT;
        b.proc_fd = root;
        /* Files that do not exist: each is remembered with its error, which is all this needs. */
        for (unsigned i = 0; i < 3000; i++) {
                struct map_entry e = { .start = 0x1000, .end = 0x2000, .inode = 1000 + i % 1500,
                                       .dev_major = i < 1500 ? 8 : 9, .path = "/nonexistent/memsnap-test" };
                const struct backing_file *f = backing_file_get(&b, &e);
                assert_non_null(f);
                assert_true(f->inode == e.inode && f->dev_major == e.dev_major);
        }
        assert_int_equal(b.n, 3000);
        for (unsigned i = 0; i < 3000; i++) {
                struct map_entry e = { .inode = 1000 + i % 1500, .dev_major = i < 1500 ? 8 : 9, .path = "/x" };
                const struct backing_file *f = backing_file_get(&b, &e);
                assert_ptr_equal(f, &b.v[i]);
        }
        assert_int_equal(b.n, 3000);
        backing_files_close(&b);
        close(root);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_backing_file),
                cmocka_unit_test(test_open_all),
                cmocka_unit_test(test_many),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
