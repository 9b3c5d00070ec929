/*
 * Writing bytes into the core so that zeros cost no disk: pages that are
 * all zero are not written and stay holes, as fs/coredump.c dump_user_range
 * leaves the zero page out.  Everything else is a pwrite at its offset; a
 * short write or a full disk is an error with the file's name.
 */
#ifndef MEMSNAP_SPARSE_WRITE_H
#define MEMSNAP_SPARSE_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when len bytes at p are all zero. */
bool sparse_write_is_zero(const uint8_t *p, size_t len);

/*
 * Writes len bytes at file offset off, leaving page-sized zero blocks
 * unwritten.  Returns 0 or -errno (logged, naming path).
 */
int sparse_write_range(int fd, const char *path, const uint8_t *data, size_t len, uint64_t off, size_t page_size);

/* A plain pwrite of everything, with the same error reporting. */
int sparse_write_full(int fd, const char *path, const void *data, size_t len, uint64_t off);

#endif
