/* Implementation of sparse_write.h. */
#include "sparse_write.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"

bool sparse_write_is_zero(const uint8_t *p, size_t len)
{
        /* Compare the block with itself shifted by one: memcmp's speed, no zero buffer. */
        return len == 0 || (p[0] == 0 && memcmp(p, p + 1, len - 1) == 0);
}

int sparse_write_full(int fd, const char *path, const void *data, size_t len, uint64_t off)
{
        const uint8_t *p = data;
        while (len) {
                ssize_t w = pwrite(fd, p, len, (off_t)off);
                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        return log_error_errno(errno, "cannot write '%s': %m", path);
                }
                if (w == 0)
                        return log_error_errno(ENOSPC, "cannot write '%s': %m", path);
                p += w;
                len -= (size_t)w;
                off += (uint64_t)w;
        }
        return 0;
}

int sparse_write_range(int fd, const char *path, const uint8_t *data, size_t len, uint64_t off, size_t page_size)
{
        size_t i = 0;

        while (i < len) {
                /* Skip zero pages (by file-offset page, so holes line up with the file system's blocks). */
                size_t step = page_size - (size_t)((off + i) % page_size);
                if (step > len - i)
                        step = len - i;
                if (sparse_write_is_zero(data + i, step)) {
                        i += step;
                        continue;
                }
                size_t j = i + step;
                while (j < len) {
                        size_t s = page_size < len - j ? page_size : len - j;
                        if (sparse_write_is_zero(data + j, s))
                                break;
                        j += s;
                }
                int r = sparse_write_full(fd, path, data + i, j - i, off + i);
                if (r < 0)
                        return r;
                i = j;
        }
        return 0;
}
