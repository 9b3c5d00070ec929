/*
 * Which pages of a mapping exist, from /proc/PID/pagemap (the kernel's
 * Documentation/admin-guide/mm/pagemap.rst): one 64-bit entry per virtual
 * page, bit 63 "present in RAM", bit 62 "swapped", bit 61 "file page or
 * shared anonymous".  Capture reads only present pages, so it never faults
 * a page into the target; what is absent is a hole in the core (anonymous
 * memory never touched reads as zeros) or comes from the mapped file.
 *
 * The walk reports maximal runs of pages in one state.  It reads the
 * pagemap in slices, so a mapping of terabytes costs memory in proportion to
 * the slice, not to the mapping.
 */
#ifndef MEMSNAP_PAGEMAP_H
#define MEMSNAP_PAGEMAP_H

#include <stddef.h>
#include <stdint.h>

/* Documentation/admin-guide/mm/pagemap.rst */
#define PAGEMAP_PRESENT (1ull << 63)
#define PAGEMAP_SWAPPED (1ull << 62)
#define PAGEMAP_FILE_OR_SHARED (1ull << 61)

#define PAGEMAP_SLICE_ENTRIES 65536 /* 512 KiB of entries per read: 256 MiB of address space */

enum page_state {
        PAGE_ABSENT,   /* never touched, or a file page not mapped in */
        PAGE_PRESENT,  /* in RAM and mapped: readable without a fault */
        PAGE_SWAPPED,  /* swapped out (or migrating): reading it would swap it in */
};

static inline enum page_state pagemap_state(uint64_t entry)
{
        if (entry & PAGEMAP_PRESENT)
                return PAGE_PRESENT;
        if (entry & PAGEMAP_SWAPPED)
                return PAGE_SWAPPED;
        return PAGE_ABSENT;
}

struct pagemap {
        int fd;              /* /proc/PID/pagemap, or any file laid out like it */
        size_t page_size;
        uint64_t *slice;     /* PAGEMAP_SLICE_ENTRIES entries */
};

#define PAGEMAP_INIT { .fd = -1 }

/* Opens dirfd/"pagemap" (dirfd is /proc/PID). */
int pagemap_open(struct pagemap *pm, int dirfd, size_t page_size);

/* Uses an already open fd (unit tests pass a file); takes ownership. */
int pagemap_open_fd(struct pagemap *pm, int fd, size_t page_size);

void pagemap_close(struct pagemap *pm);

/* Called for each maximal run [start, end) of one state; a negative return stops the walk. */
typedef int (*pagemap_run_fn)(void *ud, uint64_t start, uint64_t end, enum page_state state);

/*
 * Walks [start, end) and calls fn for every run, in address order; a page
 * that start or end cuts has its state, the run is clipped to the range.  Returns 0, fn's negative return, or -errno (-ESRCH when the
 * process is gone: the kernel then returns nothing).
 */
int pagemap_walk(struct pagemap *pm, uint64_t start, uint64_t end, pagemap_run_fn fn, void *ud);

/* The state of one page, or -errno. */
int pagemap_page(struct pagemap *pm, uint64_t addr, enum page_state *state);

#endif
