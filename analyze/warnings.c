/* Implementation of warnings.h. */
#include "warnings.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/log.h"

void warnings_add(struct warnings *w, const char *stage, uint64_t address, const char *fmt, ...)
{
        va_list ap;
        char *msg = NULL;

        if (w->n >= WARNINGS_MAX) {
                w->dropped++;
                return;
        }
        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        if (!msg) {
                w->dropped++;
                return;
        }
        if (w->echo) {
                if (address)
                        log_warning("%s: 0x%llx: %s", stage, (unsigned long long)address, msg);
                else
                        log_warning("%s: %s", stage, msg);
        }
        if (ARRAY_RESERVE(w->v, w->cap, w->n + 1) < 0) {
                free(msg);
                w->dropped++;
                return;
        }
        w->v[w->n++] = (struct warning){ stage, address, msg };
}

void warnings_finish(struct warnings *w)
{
        if (!w->dropped)
                return;
        size_t dropped = w->dropped;
        /* Make room for the closing line even when the table is full. */
        if (w->n >= WARNINGS_MAX) {
                free(w->v[w->n - 1].message);
                w->n--;
                dropped++;
        }
        w->dropped = 0;
        warnings_add(w, "analyze", 0, "%zu more warnings were not stored (the first %d are)", dropped,
                     WARNINGS_MAX - 1);
}

void warnings_truncate(struct warnings *w, size_t n)
{
        for (size_t i = n; i < w->n; i++)
                free(w->v[i].message);
        if (n < w->n)
                w->n = n;
        w->dropped = 0;
}

void warnings_free(struct warnings *w)
{
        for (size_t i = 0; i < w->n; i++)
                free(w->v[i].message);
        free(w->v);
        memset(w, 0, sizeof(*w));
}
