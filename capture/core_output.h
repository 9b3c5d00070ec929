/*
 * Writing the core once the target runs again: the headers, the notes, the
 * staged memory, and the pages that come from mapped files (read now, with
 * SEEK_DATA so file holes stay holes).  Zero pages are never written.  The
 * file is then cut to its full length, so trailing holes count, and the
 * caller syncs and names it (common/atomic_file.h).
 *
 * A mapped file that fails to read at this point (an I/O error) cannot be
 * added to the notes any more, which are laid out already: its pages stay
 * holes and a warning says which file and where.
 */
#ifndef MEMSNAP_CORE_OUTPUT_H
#define MEMSNAP_CORE_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include "backing_file.h"
#include "common/progress.h"
#include "dump_plan.h"
#include "elf_core_write.h"
#include "interrupt.h"
#include "note_buf.h"

struct core_output {
        int fd;
        const char *path;
        const struct core_layout *layout;    /* computed, notes_size included */
        const struct note_buf *notes;
        const struct dump_plan *plan;
        const struct backing_files *files;
        struct progress *progress;           /* total: staged + file bytes */
        struct interrupt_guard *intr;
        size_t page_size;
        uint64_t file_errors;                /* out: bytes of mapped files left as holes */
};

/* Returns 0, -EINTR (unlogged: the caller says it once), or a write error (logged). */
int core_output_write(struct core_output *o);

#endif
