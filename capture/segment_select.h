/*
 * Which mappings a capture dumps, and why not the others.
 *
 * Every mapping becomes a PT_LOAD; this decides whether its bytes go in.
 * Never read: [vvar] and [vsyscall] (ptrace cannot), ---p guard pages,
 * VM_IO/VM_PFNMAP device memory (reading may have side effects),
 * MADV_DONTDUMP memory (the program asked).  Then the user's filters, all of
 * which must accept a mapping: --segments KINDS, --range START-END (the
 * mapping overlaps it), --path GLOB (fnmatch on the mapped path or pseudo
 * name, or the name itself: "[heap]"), --max-size BYTES.  Finally, as the kernel's default coredump_filter
 * does, bytes that are on disk are left out unless --with-text is given or
 * the mapping's kind was named in --segments: a read-only private file
 * mapping the process never wrote to, and a shared mapping of an on-disk
 * file.  Of those, the first page of a mapping at file offset 0 that starts
 * with an ELF header is still dumped (coredump_filter bit 4), because
 * debuggers read build-ids from it.
 *
 * Pure: maps (with smaps figures) and kinds in, plans out.
 */
#ifndef MEMSNAP_SEGMENT_SELECT_H
#define MEMSNAP_SEGMENT_SELECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/proc_maps.h"
#include "common/segment_kind.h"
#include "common/strbuf.h"
#include "skip_list.h"

struct select_options {
        uint32_t kinds;          /* 1u << kind for each kind to dump */
        bool kinds_given;        /* --segments named them: dump those whole, on disk or not */
        bool with_text;          /* dump on-disk bytes too */
        bool have_range;
        uint64_t range_start, range_end;
        const char *path_glob;   /* NULL: any path */
        uint64_t max_size;       /* 0: no limit */
};

/* All kinds, nothing narrowed: what a plain `memsnap capture PID` does. */
void select_options_default(struct select_options *o);

enum dump_mode {
        DUMP_NONE,        /* p_filesz 0 */
        DUMP_WHOLE,       /* every page that holds data */
        DUMP_FIRST_PAGE,  /* only the ELF header page */
};

struct segment_plan {
        enum segment_kind kind;
        enum dump_mode mode;
        enum skip_reason reason;     /* why not dumped (NONE), or why only the first page */
        bool elf_header_candidate;   /* NONE for being on disk, at offset 0, readable: check its magic */
        bool file_pages;             /* absent pages hold the file's bytes: read them from the file */
};

/*
 * Facts for segment_kind_classify from the maps: path, perms, and which mapping
 * holds which thread's stack pointer (sps[main_index] is the main thread's;
 * main_index may be SIZE_MAX), and malloc_use[i], what is guessed of its
 * malloc memory (may be NULL).  Modules are
 * guessed from executable file mappings.
 */
void segment_select_facts_fill(const struct map_list *maps, const uint64_t *sps, size_t nsps, size_t main_index,
                        const enum segment_malloc *malloc_use, struct segment_facts *facts);

/* Plans every mapping. */
void segment_select(const struct map_list *maps, const enum segment_kind *kinds, const struct select_options *o,
                    struct segment_plan *plans);

/*
 * Appends to out the SKIPPED note's detail for a plan that is not
 * DUMP_WHOLE, for the range of e that begins at from (file offsets are given
 * for that byte).
 */
void segment_plan_describe(const struct segment_plan *p, const struct map_entry *e, const struct select_options *o,
                           uint64_t from, struct strbuf *out);

/* True when the mapping's file is on disk (not deleted, not shmem or memfd). */
bool segment_select_on_disk(const struct map_entry *e);

#endif
