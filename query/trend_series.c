/* Implementation of trend_series.h. */
#include "trend_series.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/units.h"
#include "trend_fit.h"

static int key_cmp(enum trend_series_kind ka, const char *a, enum trend_series_kind kb, const char *b)
{
        if (ka != kb)
                return ka < kb ? -1 : 1;
        return strcmp(a, b);
}

/* The series of (kind, key), made (without a name) when new; NULL when memory ran out. */
static struct trend_series *series_get(struct trend_series_table *st, enum trend_series_kind kind, const char *key)
{
        size_t lo = 0, hi = st->n;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                const struct trend_series *s = &st->v[st->by_key[mid]];
                int c = key_cmp(s->kind, s->key, kind, key);
                if (c == 0)
                        return &st->v[st->by_key[mid]];
                if (c < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        if (ARRAY_RESERVE(st->v, st->cap, st->n + 1) < 0 || ARRAY_RESERVE(st->by_key, st->cap_by_key, st->n + 1) < 0)
                return NULL;
        struct trend_series *s = &st->v[st->n];
        *s = (struct trend_series){
                .kind = kind,
                .size_class = -1,
                .key = strdup(key),
                .bytes = calloc(st->nsnapshots, sizeof(int64_t)),
                .blocks = kind == TREND_OWNER ? NULL : calloc(st->nsnapshots, sizeof(int64_t)),
        };
        if (!s->key || !s->bytes || (kind != TREND_OWNER && !s->blocks)) {
                trend_series_free(s);
                return NULL;
        }
        memmove(&st->by_key[lo + 1], &st->by_key[lo], (st->n - lo) * sizeof(*st->by_key));
        st->by_key[lo] = st->n++;
        return s;
}

int trend_series_add_growth(struct trend_series_table *st, const struct growth_table *g, size_t index)
{
        for (size_t i = 0; i < g->cap; i++) {
                const struct growth_slot *slot = &g->v[i];
                if (!slot->used)
                        continue;
                char key[64];
                _cleanup_free_ char *type_key = NULL;
                if (slot->type) {
                        if (asprintf(&type_key, "type:%s", slot->type) < 0) {
                                type_key = NULL;
                                return log_error_errno(ENOMEM, "cannot count growth: %m");
                        }
                } else
                        snprintf(key, sizeof(key), "size:%" PRId64, slot->size_class);
                enum trend_series_kind kind = slot->type ? TREND_TYPE : TREND_SIZE_CLASS;
                struct trend_series *s = series_get(st, kind, slot->type ? type_key : key);
                if (!s)
                        return log_error_errno(ENOMEM, "cannot count growth: %m");
                if (!s->name) {
                        if (slot->type) {
                                s->type = strdup(slot->type);
                                s->name = strdup(slot->type);
                        } else {
                                char size[UNITS_BUF_MAX];
                                s->size_class = slot->size_class;
                                units_format_bytes(size, (uint64_t)slot->size_class);
                                if (asprintf(&s->name, "size class %s", size) < 0)
                                        s->name = NULL;
                        }
                        if (!s->name || (slot->type && !s->type))
                                return log_error_errno(ENOMEM, "cannot count growth: %m");
                }
                s->blocks[index] += slot->count[0];
                s->bytes[index] += slot->bytes[0];
        }
        return 0;
}

int trend_series_add_owners(struct trend_series_table *st, struct diff_owner *owners, size_t n, size_t index)
{
        for (size_t i = 0; i < n; i++) {
                struct trend_series *s = series_get(st, TREND_OWNER, owners[i].key);
                if (!s)
                        return log_error_errno(ENOMEM, "cannot count the owners: %m");
                /* the latest name: it says what holds the memory now */
                free(s->name);
                s->name = owners[i].name;
                owners[i].name = NULL;
                s->bytes[index] += owners[i].retained_before;
        }
        return 0;
}

/* Ranked: by kind, then score (highest first), then key. */
static int rank_cmp(const void *p, const void *q)
{
        const struct trend_series *a = p, *b = q;
        if (a->kind != b->kind)
                return a->kind < b->kind ? -1 : 1;
        if (a->fit.score != b->fit.score)
                return a->fit.score > b->fit.score ? -1 : 1;
        return strcmp(a->key, b->key);
}

int trend_series_finish(struct trend_series_table *st, const double *t_s, struct trend *t)
{
        for (size_t i = 0; i < st->n; i++)
                st->v[i].fit = trend_fit_line(t_s, st->v[i].bytes, st->nsnapshots);
        qsort_safe(st->v, st->n, sizeof(*st->v), rank_cmp);
        t->series = st->v;
        t->nseries = st->n;
        st->v = NULL;
        st->n = st->cap = 0;
        return 0;
}

void trend_series_free(struct trend_series *s)
{
        free(s->key);
        free(s->name);
        free(s->type);
        free(s->blocks);
        free(s->bytes);
        *s = (struct trend_series){ 0 };
}

void trend_series_table_free(struct trend_series_table *st)
{
        for (size_t i = 0; i < st->n; i++)
                trend_series_free(&st->v[i]);
        free(st->v);
        free(st->by_key);
        *st = (struct trend_series_table){ 0 };
}
