/* Implementation of io.h. */
#include "io.h"

#include <errno.h>
#include <stdbool.h>
#include <unistd.h>

/* The loop both share: pread from offset when positioned, else read from the file position. */
static ssize_t read_loop(int fd, void *buf, size_t len, bool positioned, off_t offset)
{
        size_t done = 0;
        while (done < len) {
                ssize_t r = positioned ? pread(fd, (char *)buf + done, len - done, offset + (off_t)done)
                                       : read(fd, (char *)buf + done, len - done);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return done ? (ssize_t)done : -errno;
                if (r == 0)
                        break;
                done += (size_t)r;
        }
        return (ssize_t)done;
}

ssize_t io_pread_full(int fd, void *buf, size_t len, off_t offset)
{
        return read_loop(fd, buf, len, true, offset);
}

ssize_t io_read_full(int fd, void *buf, size_t len)
{
        return read_loop(fd, buf, len, false, 0);
}
