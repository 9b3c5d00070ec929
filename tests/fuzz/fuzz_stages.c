/* Implementation of fuzz_stages.h. */
#include "fuzz_stages.h"

#include "analyze/stages.h"

int fuzz_stages_run(struct analysis *a, const char *path, bool core_only)
{
        *a = (struct analysis)ANALYSIS_INIT;
        a->opt.core_path = path;
        a->opt.max_frames = 16;
        a->opt.no_debuginfo = true;
        a->opt.core_only = core_only;
        a->opt.quiet = true;
        return analysis_run(a, STAGE_EXPLAIN);
}
