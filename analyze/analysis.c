/*
 * Implementation of stages.h's running and undoing of the stages: the one
 * stage table, and the end of an analysis's life.
 */
#include <errno.h>
#include <stdlib.h>

#include "analysis.h"
#include "stages.h"

#include "common/log.h"

/* The core opened, and refused when it is larger than --max-segments lets every later stage be. */
static int core_stage(struct analysis *a)
{
        size_t max = a->opt.max_segments ? a->opt.max_segments : SEGMENTS_DEFAULT;
        int r = core_open(&a->core, a->opt.core_path, &a->warnings);
        if (r < 0)
                return r;
        /* Every later stage is linear in these; the limit bounds the database and the time. */
        if (a->core.nsegs > max || a->core.nfiles > max)
                return log_error_errno(E2BIG, "cannot analyze '%s': it has %zu segments and %zu mapped files, more than the limit of %zu; --max-segments raises it",
                                       a->opt.core_path, a->core.nsegs, a->core.nfiles, max);
        return 0;
}

static void core_stage_reset(struct analysis *a)
{
        /* A core a test put together by hand has no path and owns nothing. */
        if (a->core.path)
                core_close(&a->core);
}

static const struct {
        const char *name;
        int (*run)(struct analysis *a);
        void (*reset)(struct analysis *a);
} stages[STAGE_COUNT] = {
        [STAGE_CORE] = { "core", core_stage, core_stage_reset },
        [STAGE_SNAPSHOT] = { "snapshot", snapshot_read, snapshot_reset },
        [STAGE_SKIPPED] = { "skipped", skipped_read, skipped_reset },
        [STAGE_MODULES] = { "modules", modules_report, modules_reset },
        [STAGE_THREADS] = { "threads", threads_unwind, threads_reset },
        [STAGE_SEGMENTS] = { "segments", segments_build, segments_reset },
        [STAGE_HEAP] = { "heap", heap_walk, heap_reset },
        [STAGE_HEAP_KINDS] = { "heap kinds", segments_mark_heap, segments_unmark_heap },
        [STAGE_REACH] = { "reach", reach_compute, reach_reset },
        [STAGE_OWNERS] = { "owners", owners_compute, owners_reset },
        [STAGE_EXPLAIN] = { "explain", skipped_explain, skipped_explain_reset },
};

int analysis_run(struct analysis *a, enum analysis_stage last)
{
        for (; a->next <= last && a->next < STAGE_COUNT; a->next++) {
                log_debug("stage %s", stages[a->next].name);
                a->warnings_at[a->next] = a->warnings.n;
                int r = stages[a->next].run(a);
                if (r < 0)
                        return r;
                if (a->next + 1 < STAGE_COUNT)
                        a->warnings_at[a->next + 1] = a->warnings.n;
        }
        return 0;
}

void analysis_reset_from(struct analysis *a, enum analysis_stage from)
{
        /* libdwfl cannot detach the thread state the threads stage attached to the modules' Dwfl. */
        if (from == STAGE_THREADS && a->next > STAGE_THREADS)
                from = STAGE_MODULES;
        if (from >= STAGE_COUNT)
                return;
        /* Later stages first, each safe on a result its stage never filled (or half filled, when it failed). */
        for (int s = STAGE_COUNT - 1; s >= (int)from; s--)
                stages[s].reset(a);
        if (from <= a->next && from < STAGE_COUNT)
                warnings_truncate(&a->warnings, a->warnings_at[from]);
        if (from < a->next)
                a->next = from;
}

void analysis_free(struct analysis *a)
{
        analysis_reset_from(a, STAGE_CORE);
        warnings_free(&a->warnings);
        if (a->out.path)
                atomic_file_discard(&a->out);
}
