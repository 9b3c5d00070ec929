/* Implementation of fuzz_work.h. */
#include "fuzz_work.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sanitizer/common_interface_defs.h>

#include "common/io.h"

static char work_dir[PATH_MAX];

static void work_remove(void)
{
        DIR *d = opendir(work_dir);
        if (!d)
                return;
        for (struct dirent *e; (e = readdir(d));)
                if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                        unlinkat(dirfd(d), e->d_name, 0);
        closedir(d);
        rmdir(work_dir);
}

const char *fuzz_path(const char *name)
{
        static char path[PATH_MAX];

        if (!work_dir[0]) {
                const char *tmp = getenv("TMPDIR");
                snprintf(work_dir, sizeof(work_dir), "%s/memsnap-fuzz.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
                if (!mkdtemp(work_dir))
                        fuzz_fail("cannot make a folder in '%s': %m", tmp && tmp[0] ? tmp : "/tmp");
                atexit(work_remove);
        }
        snprintf(path, sizeof(path), "%s/%s", work_dir, name);
        return path;
}

void fuzz_pwrite(int fd, const void *data, size_t len, off_t offset, const char *path)
{
        const uint8_t *p = data;
        while (len) {
                ssize_t n = pwrite(fd, p, len, offset);
                if (n <= 0)
                        fuzz_fail("cannot write '%s': %m", path);
                p += n, len -= (size_t)n, offset += n;
        }
}

void fuzz_write_file(const char *path, const void *data, size_t len)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
                fuzz_fail("cannot write '%s': %m", path);
        fuzz_pwrite(fd, data, len, 0, path);
        if (close(fd) < 0)
                fuzz_fail("cannot write '%s': %m", path);
}

uint8_t *fuzz_read_file(const char *path, size_t *len)
{
        struct stat st;
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) < 0)
                fuzz_fail("cannot read '%s': %m", path);
        uint8_t *buf = malloc((size_t)st.st_size + 1);
        if (!buf || io_pread_full(fd, buf, (size_t)st.st_size, 0) != (ssize_t)st.st_size)
                fuzz_fail("cannot read '%s': %m", path);
        close(fd);
        *len = (size_t)st.st_size;
        return buf;
}

void fuzz_fail(const char *fmt, ...)
{
        char msg[1024] = "fuzz: ";
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg + 6, sizeof(msg) - 6, fmt, ap);
        va_end(ap);
        /* stderr is closed under -close_fd_mask=2; the sanitizers' report goes where libFuzzer's does */
        fprintf(stderr, "%s\n", msg);
        __sanitizer_report_error_summary(msg);
        abort();
}
