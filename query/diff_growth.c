/*
 * Growth between two snapshots by a key that survives address changes: a
 * block's type hint where reach found one ("type:Widget"), else its
 * power-of-two size class ("size:64").  Each side's reader (diff_stream.c)
 * counts its used blocks into a table of its own while it streams them, so
 * growth costs no extra scan; the two tables are merged at the end.  Keys
 * live in a small open-addressing hash table.
 */
#include "diff_growth.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/log.h"

static uint64_t key_hash(const char *type, int64_t size_class)
{
        /* FNV-1a over the type name, or a 64-bit mix of the size class */
        if (type) {
                uint64_t h = 0xcbf29ce484222325ull;
                for (const unsigned char *p = (const unsigned char *)type; *p; p++)
                        h = (h ^ *p) * 0x100000001b3ull;
                return h;
        }
        uint64_t x = (uint64_t)size_class * 0x9e3779b97f4a7c15ull;
        return x ^ (x >> 29);
}

static bool key_equal(const struct growth_slot *s, const char *type, int64_t size_class)
{
        if (!type || !s->type)
                return !type && !s->type && s->size_class == size_class;
        return strcmp(s->type, type) == 0;
}

static int table_grow(struct growth_table *t)
{
        size_t cap = t->cap ? t->cap * 2 : 64;
        struct growth_slot *v = calloc(cap, sizeof(*v));
        if (!v)
                return -ENOMEM;
        for (size_t i = 0; i < t->cap; i++) {
                if (!t->v[i].used)
                        continue;
                size_t j = key_hash(t->v[i].type, t->v[i].size_class) & (cap - 1);
                while (v[j].used)
                        j = (j + 1) & (cap - 1);
                v[j] = t->v[i];
        }
        free(t->v);
        t->v = v;
        t->cap = cap;
        return 0;
}

/* The slot of a key, made when new; NULL when memory runs out. */
static struct growth_slot *slot_get(struct growth_table *t, const char *type, int64_t size_class)
{
        if (t->n * 2 >= t->cap && table_grow(t) < 0)
                return NULL;
        size_t i = key_hash(type, size_class) & (t->cap - 1);
        while (t->v[i].used && !key_equal(&t->v[i], type, size_class))
                i = (i + 1) & (t->cap - 1);
        struct growth_slot *s = &t->v[i];
        if (!s->used) {
                *s = (struct growth_slot){ .used = true, .size_class = type ? -1 : size_class };
                if (type && !(s->type = strdup(type))) {
                        s->used = false;
                        return NULL;
                }
                t->n++;
        }
        return s;
}

int growth_table_add(struct growth_table *t, int side, const char *type, int64_t size_class, uint64_t size)
{
        struct growth_slot *s = slot_get(t, type, size_class);
        if (!s)
                return log_error_errno(ENOMEM, "cannot diff: %m");
        s->count[side]++;
        s->bytes[side] += (int64_t)size;
        return 0;
}

int growth_table_merge(struct growth_table *into, const struct growth_table *from)
{
        for (size_t i = 0; i < from->cap; i++) {
                const struct growth_slot *f = &from->v[i];
                if (!f->used)
                        continue;
                struct growth_slot *s = slot_get(into, f->type, f->size_class);
                if (!s)
                        return log_error_errno(ENOMEM, "cannot diff: %m");
                for (int side = 0; side < 2; side++) {
                        s->count[side] += f->count[side];
                        s->bytes[side] += f->bytes[side];
                }
        }
        return 0;
}

static int growth_cmp(const void *p, const void *q)
{
        const struct diff_growth *a = p, *b = q;
        int64_t da = a->bytes_after - a->bytes_before, db = b->bytes_after - b->bytes_before;
        if (da != db)
                return da > db ? -1 : 1;
        return strcmp(a->key, b->key);
}

int growth_table_finish(struct growth_table *t, struct diff *d)
{
        d->growth = calloc(t->n + 1, sizeof(*d->growth));
        if (!d->growth)
                return log_error_errno(ENOMEM, "cannot diff: %m");
        for (size_t i = 0; i < t->cap; i++) {
                struct growth_slot *s = &t->v[i];
                if (!s->used || (s->count[0] == s->count[1] && s->bytes[0] == s->bytes[1]))
                        continue;
                struct diff_growth *g = &d->growth[d->ngrowth++];
                *g = (struct diff_growth){
                        .type = s->type,
                        .size_class = s->size_class,
                        .count_before = s->count[0], .count_after = s->count[1],
                        .bytes_before = s->bytes[0], .bytes_after = s->bytes[1],
                };
                s->type = NULL;
                int r = g->type ? asprintf(&g->key, "type:%s", g->type)
                                : asprintf(&g->key, "size:%" PRId64, g->size_class);
                if (r < 0) {
                        g->key = NULL;
                        return log_error_errno(ENOMEM, "cannot diff: %m");
                }
        }
        qsort_safe(d->growth, d->ngrowth, sizeof(*d->growth), growth_cmp);
        return 0;
}

void growth_table_free(struct growth_table *t)
{
        for (size_t i = 0; i < t->cap; i++)
                free(t->v[i].type);
        free(t->v);
        *t = (struct growth_table){ 0 };
}
