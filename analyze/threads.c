/* Placeholder until the threads stage lands: threads from NT_PRSTATUS, no frames. */
#include <stdlib.h>

#include "stages.h"

int threads_unwind(struct analysis *a)
{
        a->threads = calloc(a->core.nthreads ? a->core.nthreads : 1, sizeof(*a->threads));
        if (!a->threads)
                return -1;
        for (size_t i = 0; i < a->core.nthreads; i++) {
                const struct core_thread *t = &a->core.threads[i];
                a->threads[a->nthreads++] = (struct thread){
                        .tid = t->tid, .is_main = t->tid == a->snap.pid, .pc = t->regs.rip, .sp = t->regs.rsp,
                        .fs_base = t->regs.fs_base, .signal = t->cursig, .stack_segment = NO_ID, .core = t,
                };
        }
        return 0;
}
