/* Implementation of fuzz_stages.h. */
#include "fuzz_stages.h"

#include <string.h>

#include "analyze/stages.h"

int fuzz_stages_run(struct analysis *a, const char *path, bool with_modules)
{
        static const struct {
                int (*run)(struct analysis *a);
                bool modules;  /* runs only with_modules */
        } stages[] = {
                { snapshot_read, false }, { skipped_read, false },   { modules_report, true },
                { threads_unwind, true }, { segments_build, false }, { heap_walk, false },
                { reach_compute, false }, { skipped_explain, false },
        };

        memset(a, 0, sizeof(*a));
        a->out = (struct atomic_file)ATOMIC_FILE_INIT;
        a->core.fd = -1;
        a->opt.core_path = path;
        a->opt.max_frames = 16;
        a->opt.no_debuginfo = true;
        a->opt.quiet = true;
        int r = core_open(&a->core, path, &a->warnings);
        for (size_t i = 0; r == 0 && i < sizeof(stages) / sizeof(stages[0]); i++)
                if (with_modules || !stages[i].modules)
                        r = stages[i].run(a);
        return r;
}
