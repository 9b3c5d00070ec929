/* Implementation of skip_list.h. */
#include "skip_list.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "common/strbuf.h"
#include "common/text_escape.h"

static const char *const reason_names[SKIP_REASON_COUNT] = {
        [SKIP_VVAR] = "vvar",
        [SKIP_VSYSCALL] = "vsyscall",
        [SKIP_GUARD] = "guard",
        [SKIP_IO] = "io",
        [SKIP_DONTDUMP] = "dontdump",
        [SKIP_ON_DISK] = "on-disk",
        [SKIP_SHARED_FILE] = "shared-file",
        [SKIP_KIND] = "kind",
        [SKIP_RANGE] = "range",
        [SKIP_PATH] = "path",
        [SKIP_MAX_SIZE] = "max-size",
        [SKIP_SWAPPED] = "swapped",
        [SKIP_UNREADABLE] = "unreadable",
        [SKIP_BEYOND_EOF] = "beyond-eof",
        [SKIP_FILE_ERROR] = "file-error",
};

const char *skip_reason_name(enum skip_reason r)
{
        return (unsigned)r < SKIP_REASON_COUNT ? reason_names[r] : "unknown";
}

int skip_list_add(struct skip_list *l, uint64_t start, uint64_t end, enum skip_reason reason, const char *fmt, ...)
{
        _cleanup_free_ char *detail = NULL;
        va_list ap;

        if (end <= start)
                return 0;
        va_start(ap, fmt);
        int r = vasprintf(&detail, fmt, ap);
        va_end(ap);
        if (r < 0) {
                detail = NULL;
                return -ENOMEM;
        }

        if (l->n) {
                struct skip_entry *last = &l->v[l->n - 1];
                if (last->end == start && last->reason == reason && strcmp(last->detail, detail) == 0) {
                        last->end = end;
                        return 0;
                }
        }
        if (ARRAY_RESERVE(l->v, l->cap, l->n + 1) < 0)
                return -ENOMEM;
        l->v[l->n++] = (struct skip_entry){ start, end, reason, TAKE_PTR(detail) };
        return 0;
}

uint64_t skip_list_bytes(const struct skip_list *l, enum skip_reason reason)
{
        uint64_t sum = 0;
        for (size_t i = 0; i < l->n; i++)
                if (l->v[i].reason == reason)
                        sum += l->v[i].end - l->v[i].start;
        return sum;
}

static int by_start(const void *a, const void *b)
{
        const struct skip_entry *x = a, *y = b;
        if (x->start != y->start)
                return x->start < y->start ? -1 : 1;
        return 0;
}

static bool continues(const struct skip_entry *a, const struct skip_entry *b)
{
        return a->end == b->start && a->reason == b->reason && strcmp(a->detail, b->detail) == 0;
}

/*
 * Joins sorted entries that continue each other.  The copy during the stop
 * reports an unreadable range in pieces (a batch, a slice at a time) and
 * from several threads at once, so one range may have been added as many
 * entries, not one after the other: the note shows it whole, the same
 * whatever the thread count.
 */
static void coalesce(struct skip_list *l)
{
        size_t k = 0;
        for (size_t i = 1; i < l->n; i++) {
                if (continues(&l->v[k], &l->v[i])) {
                        l->v[k].end = l->v[i].end;
                        free(l->v[i].detail);
                } else {
                        l->v[++k] = l->v[i];
                }
        }
        if (l->n)
                l->n = k + 1;
}

int skip_list_format(struct skip_list *l, char **text, size_t *len)
{
        _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;

        if (l->n > 1) {
                bool sorted = true;
                for (size_t i = 1; i < l->n && sorted; i++)
                        sorted = l->v[i - 1].start <= l->v[i].start;
                if (!sorted)
                        qsort(l->v, l->n, sizeof(l->v[0]), by_start);
        }
        coalesce(l);
        for (size_t i = 0; i < l->n; i++) {
                const struct skip_entry *e = &l->v[i];
                strbuf_addf(&sb, "%llx-%llx\t%s\t", (unsigned long long)e->start, (unsigned long long)e->end,
                            skip_reason_name(e->reason));
                text_escape_add(&sb, e->detail, strlen(e->detail));
                strbuf_addch(&sb, '\n');
        }
        *text = strbuf_take(&sb, len);
        return *text ? 0 : -ENOMEM;
}

void skip_list_free(struct skip_list *l)
{
        for (size_t i = 0; i < l->n; i++)
                free(l->v[i].detail);
        free(l->v);
        memset(l, 0, sizeof(*l));
}
