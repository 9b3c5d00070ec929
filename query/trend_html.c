/*
 * `memsnap trend --html FILE`: the trend (trend.h) as one page
 * (html_page.h) whose figures are `trend --format json`'s object, printed by
 * trend_json.c from the same struct trend, so the page and the JSON cannot
 * disagree.  query/html/trend.js draws them.
 */
#include "trend_output.h"

#include <stdio.h>

#include "common/log.h"
#include "html_page.h"

struct trend_html {
        const struct trend *t;
        size_t limit;
};

static int put_trend(FILE *f, const void *ctx)
{
        const struct trend_html *h = ctx;
        const struct trend_print_options po = { .out = f, .limit = h->limit };
        return trend_json_print(h->t, &po);
}

int trend_html_write(const struct trend *t, const char *path, bool force, size_t limit)
{
        const struct trend_html h = { .t = t, .limit = limit };
        size_t len;
        int r = html_page_write(path, force, "trend", put_trend, &h, &len);
        if (r < 0)
                return r;
        log_info("wrote '%s' (%zu snapshots, %.1f KiB of figures)", path, t->nsnapshots, len / 1024.0);
        return 0;
}
