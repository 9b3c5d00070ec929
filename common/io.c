/* Implementation of io.h. */
#include "io.h"

#include <errno.h>
#include <unistd.h>

ssize_t pread_full(int fd, void *buf, size_t len, off_t offset)
{
        size_t done = 0;
        while (done < len) {
                ssize_t r = pread(fd, (char *)buf + done, len - done, offset + (off_t)done);
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

ssize_t read_full(int fd, void *buf, size_t len)
{
        size_t done = 0;
        while (done < len) {
                ssize_t r = read(fd, (char *)buf + done, len - done);
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
