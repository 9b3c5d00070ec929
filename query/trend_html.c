/*
 * `memsnap trend --html FILE`: the trend (trend.h) as one page
 * (html_page.h) whose figures are `trend --format json`'s object, printed by
 * trend_json.c from the same struct trend, so the page and the JSON cannot
 * disagree.  query/html/trend.js draws them.
 */
#include "trend_output.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "html_page.h"

int trend_html_write(const struct trend *t, const char *path, bool force, size_t limit)
{
        _cleanup_free_ char *json = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&json, &len);
        if (!f)
                return log_error_errno(errno, "cannot build the page: %m");
        const struct trend_print_options po = { .out = f, .limit = limit };
        int r = trend_json_print(t, &po);
        if (fclose(f) != 0 && r == 0)
                r = log_error_errno(ENOMEM, "cannot build the page: %m");
        if (r < 0)
                return r;
        r = html_page_write(path, force, "trend", json, len);
        if (r < 0)
                return r;
        log_info("wrote '%s' (%zu snapshots, %.1f KiB of figures)", path, t->nsnapshots, len / 1024.0);
        return 0;
}
