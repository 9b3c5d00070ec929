/*
 * libdwfl's view of the core: what dwfl_core_file_report is given instead of
 * the core itself.  libdwfl (elfutils 0.188) opens, with a plain blocking
 * open(2), every file the core names for a module it finds: the NT_FILE name
 * of the mapping, and the l_name of each entry of the dynamic linker's link
 * map in the core's memory.  A hostile core names a FIFO (the open never
 * returns), a device, or any file of the machine.  Its core report also
 * takes time quadratic in the number of PT_LOADs it is given.
 *
 * The view is a private, copy-on-write mapping of the core file, edited
 * before libdwfl sees it:
 *   - PT_LOADs that hold no bytes (p_filesz 0) are left out: libdwfl can
 *     read nothing from them, and a crafted core can hold millions;
 *   - NT_FILE keeps only the entries whose file is a regular ELF file
 *     (elf_util_open), or none with core_only;
 *   - each link map name that is not such a file (every one with core_only)
 *     is made empty in the view's memory, which libdwfl skips.
 * Nothing is written to the file; struct core keeps reading the core as it
 * is, so the database still names every file the core names.  No warning
 * here: data files, deleted files and the vdso's name are taken out of
 * every core; a module whose file is left out gets its own warning from
 * the modules stage, which checks the same file the same way.
 */
#ifndef MEMSNAP_CORE_VIEW_H
#define MEMSNAP_CORE_VIEW_H

#include <libelf.h>
#include <stdbool.h>
#include <stddef.h>

#include "core.h"

struct core_view {
        void *map;
        size_t size;
        Elf *elf;            /* over map, for dwfl_core_file_report */
        size_t loads;        /* PT_LOADs given to libdwfl */
};

#define CORE_VIEW_INIT { .map = NULL }

/*
 * Builds the view of c; -errno (logged) on failure.
 * More than max_loads PT_LOADs with bytes is a failure (-E2BIG) whose
 * message names the limit and --max-segments.
 */
int core_view_open(struct core_view *v, const struct core *c, bool core_only, size_t max_loads);
void core_view_close(struct core_view *v);

#endif
