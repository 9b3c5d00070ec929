/*
 * Backtraces of a stopped process's threads: what `memsnap stacks` prints,
 * in the form of `eu-stack -p`, and what `capture --stacks` records in the
 * MEMSNAP stacks note so analyze can show them beside its own unwinding of
 * the core.
 *
 * Two steps.  While the process is stopped, libunwind-ptrace walks each
 * thread's stack (_UPT_create, unw_init_remote, unw_step) and only the
 * program counters are kept.  After it runs again, the counters are named
 * with libdwfl over the maps taken during the stop, the way eu-stack names
 * them: the symbol whose extent holds pc (pc - 1 for a return address),
 * from the module's own symbol table or its separate debuginfo.  We do not
 * use unw_get_proc_name: in a stripped library it answers with the nearest
 * exported symbol below pc, whatever its size, so start_thread comes out as
 * "pthread_condattr_setpshared".  The vDSO is named from memsnap's own
 * copy, so nothing is read from the target after it runs again.
 *
 * Frames are capped per thread (a corrupt stack can loop); the cap is
 * reported when hit.
 */
#ifndef MEMSNAP_LIVE_STACKS_H
#define MEMSNAP_LIVE_STACKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "common/proc_maps.h"

#define LIVE_STACKS_DEFAULT_FRAMES 256 /* eu-stack's default too */

struct live_frame_rec {
        pid_t tid;
        int depth;            /* 0 = innermost */
        uint64_t pc;
        bool activation;      /* pc is where execution is, not a return address */
        char *function;       /* the ELF symbol (mangled: printing demangles it), NULL when unknown */
        uint64_t offset;      /* pc - function start */
        char *module;         /* path of the mapping holding pc, or NULL */
};

struct live_thread_rec {
        pid_t tid;
        size_t first, count;  /* its frames in v */
        bool truncated;       /* the frame cap was hit */
        char *error;          /* why unwinding stopped early, or NULL */
};

struct live_stacks {
        struct live_frame_rec *v;
        size_t n, cap;
        struct live_thread_rec *threads;
        size_t nthreads;
        unsigned max_frames;  /* 0: no cap */
};

/*
 * Unwinds each stopped thread in tids (in that order).  Returns 0 or
 * -ENOMEM; a thread that cannot be unwound gets an error and whatever
 * frames were found.
 */
int live_stacks_unwind(struct live_stacks *ls, const pid_t *tids, size_t ntids, unsigned max_frames);

/*
 * Names every frame (function, offset, module) from the maps taken during
 * the stop; own_vdso is memsnap's own [vdso] image (or NULL).
 */
void live_stacks_symbolize(struct live_stacks *ls, pid_t pid, const struct map_list *maps, const uint8_t *own_vdso,
                           size_t own_vdso_len);

/* Prints like eu-stack: "PID N - process", "TID N:", "#0  0x... function" (" - module" with modules). */
void live_stacks_print(const struct live_stacks *ls, pid_t pid, bool modules, FILE *out);

/*
 * The MEMSNAP stacks note: "TID\tDEPTH\tPC\tFUNCTION\tOFFSET\tMODULE\n" per
 * frame (common/memsnap_note.h), FUNCTION and MODULE escaped
 * (common/text_escape.h).
 */
int live_stacks_format(const struct live_stacks *ls, char **text, size_t *len);

void live_stacks_free(struct live_stacks *ls);

#endif
