/*
 * The shared opening and ending of an analysis in analyze's unit tests
 * (core_run.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "analyze/stages.h"
#include "core_run.h"

void core_run_open(struct core_run *r, const struct core_builder *b)
{
        *r = (struct core_run){ .a = ANALYSIS_INIT };
        r->path = cb_write_temp(b);
        r->a.opt.core_path = r->path;
        r->a.opt.max_frames = 16;
        r->a.opt.no_debuginfo = true;
        assert_int_equal(analysis_run(&r->a, STAGE_CORE), 0);
}

void core_run_end(struct core_run *r)
{
        analysis_free(&r->a);
        unlink(r->path);
        free(r->path);
}

void core_run_open_core(struct core *c, const struct core_builder *b)
{
        struct warnings w = { 0 };
        char *path = cb_write_temp(b);

        assert_non_null(path);
        int r = core_open(c, path, &w);
        warnings_free(&w);
        unlink(path);
        free(path);
        assert_int_equal(r, 0);
}

bool core_run_warned_at(const struct warnings *w, uint64_t address, const char *needle)
{
        for (size_t i = 0; i < w->n; i++)
                if (w->v[i].address == address && strstr(w->v[i].message, needle))
                        return true;
        return false;
}
