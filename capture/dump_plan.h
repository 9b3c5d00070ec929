/*
 * The list of byte ranges a capture will put in the core, decided while the
 * target is stopped and before any byte is copied:
 *
 *  - memory items: present pages (pagemap), read with process_vm_readv
 *    while the target is stopped;
 *  - file items: pages of file-backed mappings the process has not faulted
 *    in, read from the file after the target runs again;
 *  - nothing for absent anonymous pages: holes, which read as the zeros they
 *    are.
 *
 * The vDSO is one image the kernel maps into every process: its pages the
 * target never touched are copied from memsnap's own vDSO, as faulting
 * them in would grow the target.
 *
 * Pages in a swap area are left out (reading them would swap them in and
 * grow the target's RSS) unless the user asks, as are file pages past the
 * end of the file; both go to the skip list.  Pages the page map calls
 * swapped that are in no swap area (under migration or compaction:
 * pagemap.h says how they are told apart) are read like present ones.
 * Each mapping's p_filesz ends with its last item, so untouched tails take
 * no room (readers see them as not in the core, as for the kernel's cores).
 *
 * Knowing every item first gives the exact byte count, which decides
 * whether the stage can hold it all, and fixes the layout of the file.
 */
#ifndef MEMSNAP_DUMP_PLAN_H
#define MEMSNAP_DUMP_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backing_file.h"
#include "common/proc_maps.h"
#include "pagemap.h"
#include "segment_select.h"
#include "skip_list.h"

/* Memory items are cut to this size, so copying can be batched, staged and shown. */
#define DUMP_ITEM_MAX (8u << 20)

enum dump_src {
        DUMP_SRC_MEMORY,   /* the target's memory, copied while it is stopped */
        DUMP_SRC_FILE,     /* a mapped file, read after it runs again */
        DUMP_SRC_LOCAL,    /* bytes memsnap holds itself: its own copy of the vDSO */
};

struct dump_item {
        uint64_t addr, len;     /* in the target */
        uint32_t seg;           /* the mapping (and PT_LOAD) it belongs to */
        uint8_t src;            /* enum dump_src */
        uint32_t file;          /* DUMP_SRC_FILE: index into backing_files */
        uint64_t file_off;      /* DUMP_SRC_FILE: offset in that file */
        uint8_t *data;          /* DUMP_SRC_MEMORY: staged bytes, NULL if written directly;
                                   DUMP_SRC_LOCAL: the bytes */
};

struct dump_plan {
        struct dump_item *v;
        size_t n, cap;
        uint64_t *filesz;       /* per mapping: p_filesz */
        uint64_t memory_bytes;  /* total of memory items */
        uint64_t file_bytes;    /* total of file items */
};

struct dump_plan_input {
        const struct map_list *maps;
        struct segment_plan *plans;      /* DUMP_FIRST_PAGE may be set here for ELF headers */
        const struct select_options *select;
        struct pagemap *pagemap;
        struct backing_files *files;
        struct skip_list *skips;
        bool read_swapped;
        size_t page_size;
        const uint8_t *own_vdso;         /* memsnap's [vdso], or NULL */
        size_t own_vdso_len;
};

/*
 * Builds the items of every mapping, and the skip list of what is left out.
 * Returns 0, -ESRCH (unlogged) when the process is gone, or another -errno
 * after a message.
 */
int dump_plan_build(struct dump_plan *dp, const struct dump_plan_input *in);

void dump_plan_free(struct dump_plan *dp);

#endif
