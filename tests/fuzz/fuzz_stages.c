/* Implementation of fuzz_stages.h. */
#include "fuzz_stages.h"

#include <string.h>

#include "analyze/stages.h"

int fuzz_stages_run(struct analysis *a, const char *path, bool core_only)
{
        static int (*const stages[])(struct analysis *a) = {
                snapshot_read, skipped_read,   modules_report, threads_unwind,
                segments_build, heap_walk,     reach_compute,  skipped_explain,
        };

        memset(a, 0, sizeof(*a));
        a->out = (struct atomic_file)ATOMIC_FILE_INIT;
        a->core.fd = -1;
        a->opt.core_path = path;
        a->opt.max_frames = 16;
        a->opt.no_debuginfo = true;
        a->opt.core_only = core_only;
        a->opt.quiet = true;
        int r = core_open(&a->core, path, &a->warnings);
        for (size_t i = 0; r == 0 && i < sizeof(stages) / sizeof(stages[0]); i++)
                r = stages[i](a);
        return r;
}
