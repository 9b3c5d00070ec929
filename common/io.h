/*
 * Reads that do not stop short: retried on EINTR and continued after a
 * partial read, until the count is met or the file ends.  /proc files,
 * /proc/PID/mem and pagemap, and mapped files all go through these.
 */
#ifndef MEMSNAP_IO_H
#define MEMSNAP_IO_H

#include <stddef.h>
#include <sys/types.h>

/* Bytes read (fewer than len only at end of file), or -errno. */
ssize_t io_pread_full(int fd, void *buf, size_t len, off_t offset);
ssize_t io_read_full(int fd, void *buf, size_t len);

#endif
