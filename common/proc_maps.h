/*
 * Parser for the text of /proc/PID/maps and /proc/PID/smaps (see proc(5)).
 * Capture parses it from the live process, analyze from the MEMSNAP note that
 * carries it verbatim, unit tests from fixtures: the parser takes a buffer and
 * touches nothing else.
 */
#ifndef MEMSNAP_PROC_MAPS_H
#define MEMSNAP_PROC_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bounds for text someone may have crafted: at most this many mappings. */
#define MAPS_MAX (1u << 22)

struct map_entry {
        uint64_t start, end;   /* [start, end) virtual addresses */
        uint64_t offset;       /* file offset in bytes */
        uint64_t inode;
        unsigned dev_major, dev_minor;
        char perms[5];         /* "r-xp", NUL-terminated */
        char *path;            /* NULL for anonymous; "[heap]" etc. kept; " (deleted)" removed */
        bool deleted;          /* path ended in " (deleted)" */

        /* smaps figures in KiB; -1 when the text did not carry them (plain maps). */
        int64_t size_kb, rss_kb, pss_kb, shared_clean_kb, shared_dirty_kb;
        int64_t private_clean_kb, private_dirty_kb, anonymous_kb, swap_kb, locked_kb;
        char *vm_flags;        /* "rd wr mr mw me ac", or NULL */
};

struct map_list {
        struct map_entry *v;
        size_t n, cap;
};

/*
 * Parses maps or smaps text of `len` bytes into `out` (which must be zeroed).
 * Lines it does not know are skipped; a malformed mapping line fails the
 * parse with -EINVAL and *bad_line set to its 1-based number.
 */
int proc_maps_parse(const char *text, size_t len, struct map_list *out, size_t *bad_line);

void map_list_free(struct map_list *l);

/* The entry holding addr, or NULL; l must be sorted by start (as the kernel prints it). */
const struct map_entry *map_list_find(const struct map_list *l, uint64_t addr);

/* Whether e's smaps VmFlags list flag, a two-letter name (fs/proc/task_mmu.c show_smap_vma_flags). */
bool map_entry_has_vm_flag(const struct map_entry *e, const char *flag);

static inline bool map_is_anon(const struct map_entry *e) { return e->path == NULL; }
static inline bool map_is_file(const struct map_entry *e) { return e->path && e->path[0] != '['; }

#endif
