/* Implementation of trend_table.h. */
#include "trend_table.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "schema/schema_enum.h"

const char *const trend_table_names[] = { "fastest", "snapshots", "survivors", "growth", "blocks", NULL };

int trend_table_find(const char *name)
{
        for (int i = 0; trend_table_names[i]; i++)
                if (strcmp(trend_table_names[i], name) == 0)
                        return i;
        return -1;
}

/* Rows to print of n: all when limit is 0. */
static size_t shown(size_t n, size_t limit)
{
        return limit && limit < n ? limit : n;
}

/* A slope: a whole number of bytes where sizes are for people (units apply), exact otherwise. */
static struct output_cell slope_cell(const struct output *o, const struct trend *t, const struct trend_fit *f)
{
        double v = trend_slope(t, f);
        /* rounded to the nearest byte; |v| is far below 2^63 */
        return o->opt.format->human ? cell_int((int64_t)(v < 0 ? v - 0.5 : v + 0.5)) : cell_real(v);
}

/* 1-based, as every output numbers snapshots; NULL for a life still going. */
static struct output_cell snapshot_cell(uint32_t index)
{
        return index == TREND_ALIVE ? cell_null() : cell_int((int64_t)index + 1);
}

static int by_score(const void *p, const void *q)
{
        const struct trend_series *a = *(const struct trend_series *const *)p, *b = *(const struct trend_series *const *)q;
        if (a->fit.score != b->fit.score)
                return a->fit.score > b->fit.score ? -1 : 1;
        if (a->kind != b->kind)
                return a->kind < b->kind ? -1 : 1;
        return strcmp(a->key, b->key);
}

static int print_fastest(struct output *o, const struct trend *t, const char *title, size_t limit)
{
        static const char *const names[] = { "rank", "kind", "name", "slope_bytes", "r2", "first_bytes",
                                             "last_bytes", "key" };
        _cleanup_free_ const struct trend_series **v = calloc(t->nseries + 1, sizeof(*v));
        size_t n = 0, last = t->nsnapshots - 1;

        if (!v)
                return log_error_errno(ENOMEM, "cannot print the trend: %m");
        for (size_t i = 0; i < t->nseries; i++)
                if (t->series[i].fit.score > 0)
                        v[n++] = &t->series[i];
        qsort_safe(v, n, sizeof(*v), by_score);
        int r = output_set_begin(o, title, false, names, ELEMENTSOF(names));
        for (size_t i = 0; r == 0 && i < shown(n, limit); i++) {
                struct output_cell c[] = {
                        cell_int((int64_t)i + 1), output_cell_text(trend_series_kind_name(v[i]->kind)),
                        output_cell_text(v[i]->name), slope_cell(o, t, &v[i]->fit), cell_real(v[i]->fit.r2),
                        cell_int(v[i]->bytes[0]), cell_int(v[i]->bytes[last]), output_cell_text(v[i]->key),
                };
                r = output_set_row(o, c);
        }
        return r < 0 ? r : output_set_end(o);
}

static int print_snapshots(struct output *o, const struct trend *t, const char *title)
{
        static const char *const names[] = { "snapshot", "captured_at", "seconds", "used_blocks", "used_bytes",
                                             "born_blocks", "born_bytes", "died_blocks", "died_bytes",
                                             "definite_blocks", "definite_bytes", "vm_rss_kb", "path" };
        int r = output_set_begin(o, title, false, names, ELEMENTSOF(names));
        for (size_t i = 0; r == 0 && i < t->nsnapshots; i++) {
                const struct trend_snapshot *s = &t->snapshots[i];
                struct output_cell c[] = {
                        cell_int((int64_t)i + 1), output_cell_text(s->captured_at),
                        t->timed ? cell_real(s->t_s) : cell_null(), cell_int(s->used_blocks), cell_int(s->used_bytes),
                        cell_int(s->born), cell_int(s->born_bytes), cell_int(s->died), cell_int(s->died_bytes),
                        cell_int(s->definite), cell_int(s->definite_bytes),
                        s->vm_rss_kb >= 0 ? cell_int(s->vm_rss_kb) : cell_null(), output_cell_text(s->path),
                };
                r = output_set_row(o, c);
        }
        return r < 0 ? r : output_set_end(o);
}

static int print_survivors(struct output *o, const struct trend *t, const char *title, size_t limit)
{
        static const char *const names[] = { "type", "size_class", "blocks", "bytes", "definite_blocks",
                                             "definite_bytes", "born_first", "born_last", "born_in" };
        int r = output_set_begin(o, title, false, names, ELEMENTSOF(names));
        for (size_t i = 0; r == 0 && i < shown(t->nsurvivors, limit); i++) {
                const struct trend_survivors *g = &t->survivors[i];
                struct output_cell c[] = {
                        output_cell_text(g->type), g->type ? cell_null() : cell_int(g->size_class),
                        cell_int(g->blocks), cell_int(g->bytes), cell_int(g->definite), cell_int(g->definite_bytes),
                        snapshot_cell(g->born_first), snapshot_cell(g->born_last), cell_int(g->born_in),
                };
                r = output_set_row(o, c);
        }
        return r < 0 ? r : output_set_end(o);
}

/* The fixed columns of the growth table, then (wide) one per snapshot. */
#define GROWTH_FIXED 8
/* "s%zu_bytes" for any size_t */
#define NAME_MAX_LEN 32

static int print_growth(struct output *o, const struct trend *t, const char *title, size_t limit, int kind)
{
        static const char *const fixed[GROWTH_FIXED] = { "kind", "key", "name", "slope_bytes", "r2",
                                                         "score_bytes", "first_bytes", "last_bytes" };
        bool wide = kind < 0;
        size_t ncols = GROWTH_FIXED + (wide ? t->nsnapshots : 0), last = t->nsnapshots - 1;
        _cleanup_free_ const char **names = calloc(ncols, sizeof(*names));
        _cleanup_free_ char *name_text = calloc(t->nsnapshots + 1, NAME_MAX_LEN);
        _cleanup_free_ struct output_cell *c = calloc(ncols, sizeof(*c));
        const struct trend_series *v = t->series;
        size_t n = t->nseries;

        if (!names || !name_text || !c)
                return log_error_errno(ENOMEM, "cannot print the trend: %m");
        memcpy(names, fixed, sizeof(fixed));
        for (size_t i = 0; wide && i < t->nsnapshots; i++) {
                names[GROWTH_FIXED + i] = name_text + NAME_MAX_LEN * i;
                snprintf(name_text + NAME_MAX_LEN * i, NAME_MAX_LEN, "s%zu_bytes", i + 1);
        }
        if (!wide)
                v = trend_series_of(t, (enum trend_series_kind)kind, &n);
        int r = output_set_begin(o, title, false, names, ncols);
        for (size_t i = 0; r == 0 && i < shown(n, limit); i++) {
                const struct trend_series *s = &v[i];
                c[0] = output_cell_text(trend_series_kind_name(s->kind));
                c[1] = output_cell_text(s->key);
                c[2] = output_cell_text(s->name);
                c[3] = slope_cell(o, t, &s->fit);
                c[4] = cell_real(s->fit.r2);
                struct trend_fit score = { .slope = s->fit.score };
                c[5] = slope_cell(o, t, &score);
                c[6] = cell_int(s->bytes[0]);
                c[7] = cell_int(s->bytes[last]);
                for (size_t k = 0; wide && k < t->nsnapshots; k++)
                        c[GROWTH_FIXED + k] = cell_int(s->bytes[k]);
                r = output_set_row(o, c);
        }
        return r < 0 ? r : output_set_end(o);
}

static int print_blocks(struct output *o, const struct trend *t, const char *title, size_t limit)
{
        static const char *const names[] = { "mem", "size", "size_class", "type", "born", "died", "leak" };
        int r = output_set_begin(o, title, false, names, ELEMENTSOF(names));
        for (size_t i = 0; r == 0 && i < shown(t->nlives, limit); i++) {
                const struct trend_life *l = &t->lives[i];
                struct output_cell c[] = {
                        cell_int((int64_t)l->mem), cell_int((int64_t)l->size), cell_int(l->size_class),
                        output_cell_text(l->type), snapshot_cell(l->born), snapshot_cell(l->died),
                        output_cell_text(schema_enum_text(&schema_enum_leak, l->leak)),
                };
                r = output_set_row(o, c);
        }
        return r < 0 ? r : output_set_end(o);
}

int trend_table_print(struct output *o, const struct trend *t, enum trend_table which, const char *title,
                      size_t limit, int kind)
{
        switch (which) {
        case TREND_TABLE_FASTEST: return print_fastest(o, t, title, limit);
        case TREND_TABLE_SNAPSHOTS: return print_snapshots(o, t, title);
        case TREND_TABLE_SURVIVORS: return print_survivors(o, t, title, limit);
        case TREND_TABLE_GROWTH: return print_growth(o, t, title, limit, kind);
        case TREND_TABLE_BLOCKS: return print_blocks(o, t, title, limit);
        }
        return -EINVAL;
}
