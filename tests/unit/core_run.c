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

#include "analyze/core/core.h"
#include "core_run.h"

void core_run_open(struct core_run *r, const struct core_builder *b)
{
        memset(r, 0, sizeof(*r));
        r->path = cb_write_temp(b);
        r->a.opt.core_path = r->path;
        r->a.opt.max_frames = 16;
        r->a.opt.no_debuginfo = true;
        assert_int_equal(core_open(&r->a.core, r->path, &r->a.warnings), 0);
}

void core_run_end(struct core_run *r)
{
        analysis_free(&r->a);
        unlink(r->path);
        free(r->path);
}
