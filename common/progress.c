/* Implementation of progress.h. */
#include "progress.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "timespec.h"
#include "units.h"

#define PROGRESS_DELAY_MS 1000.0   /* nothing for jobs shorter than this */
#define PROGRESS_REDRAW_MS 100.0
#define PROGRESS_BAR_WIDTH 24

void progress_begin(struct progress *p, const char *label, uint64_t total, bool bytes, bool quiet)
{
        memset(p, 0, sizeof(*p));
        p->label = label;
        p->total = total;
        p->bytes = bytes;
        p->enabled = !quiet && isatty(STDERR_FILENO);
        clock_gettime(CLOCK_MONOTONIC, &p->started);
        p->last = p->started;
}

static void amount(char buf[32], const struct progress *p, uint64_t v)
{
        char u[UNITS_BUF_MAX];
        if (p->bytes)
                snprintf(buf, 32, "%s", units_format_bytes(u, v));
        else
                snprintf(buf, 32, "%llu", (unsigned long long)v);
}

void progress_update(struct progress *p, uint64_t done)
{
        struct timespec now;

        p->done = done;
        if (!p->enabled)
                return;
        clock_gettime(CLOCK_MONOTONIC, &now);
        double elapsed = timespec_diff_ms(&p->started, &now);
        if (elapsed < PROGRESS_DELAY_MS || timespec_diff_ms(&p->last, &now) < PROGRESS_REDRAW_MS)
                return;
        p->last = now;

        char bar[PROGRESS_BAR_WIDTH + 1];
        unsigned filled = p->total ? (unsigned)((double)done / (double)p->total * PROGRESS_BAR_WIDTH) : 0;
        if (filled > PROGRESS_BAR_WIDTH)
                filled = PROGRESS_BAR_WIDTH;
        memset(bar, '#', filled);
        memset(bar + filled, '.', PROGRESS_BAR_WIDTH - filled);
        bar[PROGRESS_BAR_WIDTH] = '\0';

        char d[32], t[32], r[32];
        amount(d, p, done);
        amount(t, p, p->total);
        amount(r, p, (uint64_t)((double)done / (elapsed / 1e3)));
        fprintf(stderr, "\r\033[K%-8s [%s] %s / %s  %s/s", p->label, bar, d, t, r);
        fflush(stderr);
        p->shown = true;
}

void progress_end(struct progress *p)
{
        if (p->shown) {
                fputs("\r\033[K", stderr);
                fflush(stderr);
        }
        p->shown = false;
}
