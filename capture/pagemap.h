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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Documentation/admin-guide/mm/pagemap.rst; fs/proc/task_mmu.c PM_* */
#define PAGEMAP_PRESENT (1ull << 63)
#define PAGEMAP_SWAPPED (1ull << 62)
#define PAGEMAP_FILE_OR_SHARED (1ull << 61)
#define PAGEMAP_GUARD_REGION (1ull << 58)   /* fs/proc/task_mmu.c PM_GUARD_REGION: a MADV_GUARD_INSTALL marker */
#define PAGEMAP_FRAME_MASK ((1ull << 55) - 1) /* bits 0-54: PFN, or swap type and offset */

#define PAGEMAP_SLICE_ENTRIES 65536 /* 512 KiB of entries per read: 256 MiB of address space */

/*
 * A "swapped" entry (bit 62) is any non-present PTE that holds a swap
 * entry, and the kernel keeps more than swap slots in those: pages under
 * migration or compaction, device-private memory, poisoned pages and PTE
 * markers (include/linux/swapops.h, fs/proc/task_mmu.c
 * pte_to_pagemap_entry and pagemap_pmd_range).  The frame bits say which:
 * bits 0-4 hold the swap type, bits 5-54 the offset (the slot in the swap
 * area, or a PFN), shifted by MAX_SWAPFILES_SHIFT (5, include/linux/swap.h).
 *
 * include/linux/swap.h reserves the top of the 32 types for the special
 * entries and leaves the rest, MAX_SWAPFILES = 32 - SWP_DEVICE_NUM -
 * SWP_MIGRATION_NUM - SWP_HWPOISON_NUM - SWP_PTE_MARKER_NUM (-
 * SWP_SWAPIN_ERROR_NUM in the 6.x releases that had it, before swap-in
 * errors became a PTE marker), to swap areas.  The sum depends on the
 * kernel's version and configuration: 6.18 without CONFIG_DEVICE_PRIVATE
 * and CONFIG_MEMORY_FAILURE (the machine this was written on) has
 * 32 - 0 - 3 - 0 - 1 = 28, migration at 28-30, markers at 31.  Its smallest
 * value over every version since 5.19 and every configuration is
 * 32 - 4 - 3 - 1 - 1 - 1 = 22 (four device types, three migration types,
 * hwpoison, the PTE marker and the swap-in error, all configured).  So a
 * type below 22 may be a swap area, and a type of 22 or more is one only
 * on a kernel whose MAX_SWAPFILES is larger and that had more than 22
 * areas on at once (mm/swapfile.c alloc_swap_info gives each swapon the
 * lowest free type).  memsnap takes such a type for swap only when
 * /proc/swaps lists more than 22 areas; a machine that had 23 and turned
 * all but the last off would have its pages read (swapped in), never lost.
 *
 * The frame bits are all zero when the reader lacks CAP_SYS_ADMIN
 * (fs/proc/task_mmu.c pagemap_open: show_pfn); a real swap entry never
 * does (offset 0 is the swap header, never given to a page), so zero frame
 * bits mean the type is hidden, and the caller's mapping_swap (smaps Swap
 * of the mapping: it counts real swap entries only, fs/proc/task_mmu.c
 * smaps_pte_entry) decides.  /proc/swaps listing no area at all decides
 * before anything: then nothing is in swap.
 */
#define PAGEMAP_TYPE_MASK 0x1fu               /* include/linux/swap.h: MAX_SWAPFILES_SHIFT 5 */
#define PAGEMAP_SWAP_TYPES_SURE 22            /* the smallest MAX_SWAPFILES of any kernel since 5.19 */
#define PAGEMAP_SWAP_AREAS_UNKNOWN (-1)

enum page_state {
        PAGE_ABSENT,   /* never touched, or a file page not mapped in */
        PAGE_PRESENT,  /* in RAM and mapped: readable without a fault */
        PAGE_SWAPPED,  /* in a swap area: reading it would swap it in */
        PAGE_MOVING,   /* a swap-type entry that is not in a swap area: a page under
                          migration or compaction (a read waits for it), device memory,
                          a poisoned page or a PTE marker */
        PAGE_GUARD,    /* a guard region (MADV_GUARD_INSTALL): any access faults */
};

/*
 * The state of one entry.  swap_areas is the number of areas /proc/swaps
 * lists (PAGEMAP_SWAP_AREAS_UNKNOWN when it could not be read);
 * mapping_swap whether the mapping may hold swapped pages (its smaps Swap
 * is not 0, or is unknown).  Pure, for unit tests.
 */
enum page_state pagemap_state(uint64_t entry, int swap_areas, bool mapping_swap);

/* The number of swap areas in the text of /proc/swaps (a header line, then one line each). */
int pagemap_swap_areas_parse(const char *text, size_t len);

/* Reads /proc/swaps: its number of areas, or PAGEMAP_SWAP_AREAS_UNKNOWN. */
int pagemap_swap_areas_read(void);

struct pagemap {
        int fd;              /* /proc/PID/pagemap, or any file laid out like it */
        size_t page_size;
        uint64_t *slice;     /* PAGEMAP_SLICE_ENTRIES entries */
        int swap_areas;      /* for pagemap_state; PAGEMAP_SWAP_AREAS_UNKNOWN until the caller sets it */
};

#define PAGEMAP_INIT { .fd = -1, .swap_areas = PAGEMAP_SWAP_AREAS_UNKNOWN }

/* Opens dirfd/"pagemap" (dirfd is /proc/PID). */
int pagemap_open(struct pagemap *pm, int dirfd, size_t page_size);

/* Uses an already open fd (unit tests pass a file); takes ownership. */
int pagemap_open_fd(struct pagemap *pm, int fd, size_t page_size);

void pagemap_close(struct pagemap *pm);

/* Called for each maximal run [start, end) of one state; a negative return stops the walk. */
typedef int (*pagemap_run_fn)(void *ud, uint64_t start, uint64_t end, enum page_state state);

/*
 * Walks [start, end) of one mapping and calls fn for every run, in address
 * order; a page that start or end cuts has its state, the run is clipped to
 * the range.  mapping_swap as for pagemap_state.  Returns 0, fn's negative
 * return, or -errno (-ESRCH when the process is gone: the kernel then
 * returns nothing).
 */
int pagemap_walk(struct pagemap *pm, uint64_t start, uint64_t end, bool mapping_swap, pagemap_run_fn fn, void *ud);

/* The state of one page, or -errno. */
int pagemap_page(struct pagemap *pm, uint64_t addr, bool mapping_swap, enum page_state *state);

#endif
