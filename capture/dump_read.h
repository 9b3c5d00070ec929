/*
 * Copying the planned memory items out of the stopped target.  Each item
 * gets its place in the stage, in plan order, while the stage has room;
 * those are copied first, by several threads at once (parallel_read.c).
 * What did not fit goes straight into the core file (at offsets the layout
 * has fixed) through one bounce buffer: that copy waits on the disk, so
 * more threads would not shorten it.  Small items are batched, up to
 * IOV_MAX of them per process_vm_readv.  Between batches it looks for
 * SIGINT/SIGTERM/SIGHUP and moves the progress bar.  Pages that cannot be
 * read are recorded as skipped ("unreadable") and the capture goes on.
 */
#ifndef MEMSNAP_DUMP_READ_H
#define MEMSNAP_DUMP_READ_H

#include <stdint.h>

#include "common/progress.h"
#include "dump_plan.h"
#include "elf_core_write.h"
#include "interrupt.h"
#include "memory_read.h"
#include "skip_list.h"
#include "stage.h"

struct dump_read {
        struct dump_plan *plan;
        struct memory_reader *mem;
        struct stage *stage;
        int out_fd;
        const char *out_path;
        const struct core_layout *layout;  /* NULL: everything must fit the stage */
        struct skip_list *skips;
        struct progress *progress;
        struct interrupt_guard *intr;
        size_t page_size;
        unsigned threads;                  /* threads copying into the stage; 0: parallel_read's default */
        unsigned threads_used;             /* out: how many did */
        uint64_t direct_bytes;             /* out: written to the file while stopped */
        int error;                         /* first error of a callback */
};

/*
 * Copies every memory item.  Returns 0; -EINTR when interrupted; -ESRCH
 * when the process is gone (unlogged: the caller knows the pid); a write
 * error (logged); -ENOBUFS, before copying anything, when layout is NULL
 * and the stage cannot hold every item.
 */
int dump_read_memory(struct dump_read *d);

#endif
