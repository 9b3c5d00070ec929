/*
 * The files behind file-backed mappings, for the pages the process has not
 * faulted in.  Such a page of a private mapping is not zero: it holds the
 * file's bytes (the process would see them on first touch).  Reading it
 * through the process would fault it in and grow the target's RSS, so it is
 * read from the file itself, after the target runs again.
 *
 * The file is opened through /proc/PID/map_files/START-END, which reaches
 * the very inode mapped even when it was deleted or replaced; when that is
 * refused (it needs CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE), through the
 * path, checked against the inode number in /proc/PID/maps.  Opened files
 * are cached by device and inode: a library mapped four times is opened once.
 *
 * Opening them all takes time, so capture does it before the target is
 * stopped (backing_files_open_all, over /proc/PID/maps); during the stop
 * only a mapping that is new by then costs an open.  Whether each file
 * starts with an ELF header is read at open, for the same reason.
 */
#ifndef MEMSNAP_BACKING_FILE_H
#define MEMSNAP_BACKING_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/proc_maps.h"

struct backing_file {
        unsigned dev_major, dev_minor;
        uint64_t inode;
        int fd;            /* -1 when it could not be opened (err says why) */
        int err;           /* positive errno, or 0 */
        uint64_t size;     /* bytes, at open time */
        bool elf;          /* it starts with an ELF header (ELFMAG) */
};

struct backing_files {
        int proc_fd;       /* /proc/PID, not owned */
        struct backing_file *v;
        size_t n, cap;
        uint32_t *slots;   /* index of v by device and inode: open addressing, index + 1, 0 free */
        size_t nslots;     /* a power of two, more than twice n */
};

#define BACKING_FILES_INIT { .proc_fd = -1 }

/*
 * The file behind e (e must be file-backed).  Returns NULL only on ENOMEM;
 * a file that cannot be opened is returned with fd -1 and err set.
 */
const struct backing_file *backing_file_get(struct backing_files *b, const struct map_entry *e);

/*
 * Opens the file behind every file-backed mapping of maps, ahead of need.
 * Returns 0, or -ENOMEM; a file that cannot be opened is remembered as such.
 */
int backing_files_open_all(struct backing_files *b, const struct map_list *maps);

/*
 * Reads len bytes of the file at off into dst; bytes past the end of the
 * file read as zeros.  Returns 0 or -errno.
 */
int backing_file_pread(const struct backing_file *f, void *dst, size_t len, uint64_t off);

void backing_files_close(struct backing_files *b);

#endif
