/* Implementation of trend_blocks.h. */
#include "trend_blocks.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "diff_match.h"

void trend_blocks_begin(struct trend_blocks *b, struct trend *t, uint32_t index)
{
        b->t = t;
        b->index = index;
        b->pos = 0;
        b->nnext = 0;
        b->nrun = 0;
}

/* Moves h (its type too) into t->lives as a life that ended in died (or goes on: TREND_ALIVE). */
static int life_record(struct trend *t, struct trend_held *h, uint32_t died)
{
        if (ARRAY_RESERVE(t->lives, t->cap_lives, t->nlives + 1) < 0)
                return log_error_errno(ENOMEM, "cannot follow the blocks: %m");
        t->lives[t->nlives++] = (struct trend_life){
                .mem = h->c.mem, .size = h->c.size, .size_class = h->c.size_class, .type = h->c.type,
                .born = h->born, .died = died, .leak = h->c.leak,
        };
        h->c.type = NULL;
        return 0;
}

static int held_died(struct trend_blocks *b, struct trend_held *h)
{
        struct trend_snapshot *s = &b->t->snapshots[b->index];
        s->died++;
        s->died_bytes += (int64_t)h->c.size;
        return life_record(b->t, h, b->index);
}

/* Moves c (its type too) into this snapshot's blocks, born in born. */
static int block_keep(struct trend_blocks *b, struct diff_chunk *c, uint32_t born)
{
        struct trend_snapshot *s = &b->t->snapshots[b->index];

        if (ARRAY_RESERVE(b->next, b->cap_next, b->nnext + 1) < 0)
                return log_error_errno(ENOMEM, "cannot follow the blocks: %m");
        b->next[b->nnext++] = (struct trend_held){ .c = *c, .born = born };
        c->type = NULL;
        s->used_blocks++;
        s->used_bytes += (int64_t)c->size;
        if (c->leak == LEAK_DEFINITE) {
                s->definite++;
                s->definite_bytes += (int64_t)c->size;
        }
        if (born == b->index && b->index > 0) {
                s->born++;
                s->born_bytes += (int64_t)c->size;
        }
        return 0;
}

/* Held blocks below mem (signed, as SQLite orders) were not in this snapshot: they died. */
static int settle_below(struct trend_blocks *b, uint64_t mem, bool all)
{
        while (b->pos < b->nheld && (all || (int64_t)b->held[b->pos].c.mem < (int64_t)mem)) {
                int r = held_died(b, &b->held[b->pos]);
                if (r < 0)
                        return r;
                b->pos++;
        }
        return 0;
}

/* This snapshot's blocks of one mem against the held ones of that mem, paired by diff's rule. */
static int settle_run(struct trend_blocks *b)
{
        uint64_t mem = b->run[0].mem;
        int r = settle_below(b, mem, false);
        if (r < 0)
                return r;
        size_t nold = 0;
        while (b->pos + nold < b->nheld && b->held[b->pos + nold].c.mem == mem)
                nold++;
        /*
         * One block on each side at most, as every real database has it:
         * diff_match_run would pair them exactly when they are the same block.
         */
        if (b->nrun == 1 && nold <= 1) {
                struct trend_held *old = nold ? &b->held[b->pos] : NULL;
                bool lives_on = old && diff_match_same_block(&old->c, &b->run[0]);
                r = block_keep(b, &b->run[0], lives_on ? old->born : b->index);
                if (r == 0 && old) {
                        if (lives_on) {
                                free(old->c.type);
                                old->c.type = NULL;
                        } else
                                r = held_died(b, old);
                }
                b->pos += nold;
                free(b->run[0].type);
                b->nrun = 0;
                return r;
        }
        size_t need = MAX(nold, b->nrun) + 1;
        if (ARRAY_RESERVE(b->old_run, b->cap_old_run, need) < 0 ||
            (need > b->cap_match &&
             (!(b->match_old = reallocarray(b->match_old, need, sizeof(size_t))) ||
              !(b->match_new = reallocarray(b->match_new, need, sizeof(size_t))))))
                return log_error_errno(ENOMEM, "cannot follow the blocks: %m");
        if (need > b->cap_match)
                b->cap_match = need;
        struct trend_held *old = &b->held[b->pos];
        for (size_t i = 0; i < nold; i++)
                b->old_run[i] = old[i].c;
        diff_match_run(b->old_run, nold, b->run, b->nrun, b->match_old, b->match_new);

        for (size_t j = 0; j < b->nrun && r == 0; j++) {
                size_t i = b->match_new[j];
                /* a block resized in place pairs too, but its life as counted ends: see trend.h */
                bool lives_on = i != DIFF_MATCH_NONE && old[i].c.size == b->run[j].size;
                r = block_keep(b, &b->run[j], lives_on ? old[i].born : b->index);
        }
        for (size_t i = 0; i < nold && r == 0; i++) {
                size_t j = b->match_old[i];
                if (j != DIFF_MATCH_NONE && old[i].c.size == b->run[j].size) {
                        free(old[i].c.type);
                        old[i].c.type = NULL;
                } else
                        r = held_died(b, &old[i]);
        }
        b->pos += nold;
        for (size_t j = 0; j < b->nrun; j++)
                free(b->run[j].type);
        b->nrun = 0;
        return r;
}

int trend_blocks_add(struct trend_blocks *b, struct diff_chunk *c)
{
        bool first = b->nnext == 0 && b->nrun == 0;
        if (!first && (int64_t)c->mem < (int64_t)b->prev_mem) {
                free(c->type);
                c->type = NULL;
                return log_error_errno(EINVAL, "cannot follow the blocks of '%s': they did not come in address order",
                                       b->t->snapshots[b->index].path);
        }
        b->prev_mem = c->mem;
        if (b->nrun > 0 && b->run[0].mem != c->mem) {
                int r = settle_run(b);
                if (r < 0) {
                        free(c->type);
                        c->type = NULL;
                        return r;
                }
        }
        if (ARRAY_RESERVE(b->run, b->cap_run, b->nrun + 1) < 0) {
                free(c->type);
                c->type = NULL;
                return log_error_errno(ENOMEM, "cannot follow the blocks: %m");
        }
        b->run[b->nrun++] = *c;
        c->type = NULL;
        return 0;
}

int trend_blocks_end(struct trend_blocks *b)
{
        int r = b->nrun > 0 ? settle_run(b) : 0;
        if (r == 0)
                r = settle_below(b, 0, true);
        /* the rest of held, on an error, is freed with it */
        for (size_t i = b->pos; i < b->nheld; i++)
                free(b->held[i].c.type);
        struct trend_held *v = b->held;
        size_t cap = b->cap_held;
        b->held = b->next;
        b->nheld = b->nnext;
        b->cap_held = b->cap_next;
        b->next = v;
        b->cap_next = cap;
        b->nnext = 0;
        b->pos = 0;
        return r;
}

/* Survivors sort by key (type, then size class), then birth. */
static int survivor_cmp(const void *p, const void *q)
{
        const struct trend_held *a = *(const struct trend_held *const *)p, *b = *(const struct trend_held *const *)q;
        if (!a->c.type != !b->c.type)
                return a->c.type ? -1 : 1;
        if (a->c.type) {
                int c = strcmp(a->c.type, b->c.type);
                if (c)
                        return c;
        } else if (a->c.size_class != b->c.size_class)
                return a->c.size_class < b->c.size_class ? -1 : 1;
        return a->born < b->born ? -1 : a->born > b->born;
}

static bool same_key(const struct trend_held *a, const struct trend_held *b)
{
        if (a->c.type || b->c.type)
                return a->c.type && b->c.type && strcmp(a->c.type, b->c.type) == 0;
        return a->c.size_class == b->c.size_class;
}

static int by_bytes(const void *p, const void *q)
{
        const struct trend_survivors *a = p, *b = q;
        if (a->bytes != b->bytes)
                return a->bytes > b->bytes ? -1 : 1;
        if (a->size_class != b->size_class)
                return a->size_class < b->size_class ? -1 : 1;
        return strcmp(a->type ? a->type : "", b->type ? b->type : "");
}

static int survivors_group(struct trend_blocks *b)
{
        struct trend *t = b->t;
        _cleanup_free_ struct trend_held **v = calloc(b->nheld + 1, sizeof(*v));
        size_t n = 0;

        if (!v)
                return log_error_errno(ENOMEM, "cannot group the survivors: %m");
        for (size_t i = 0; i < b->nheld; i++)
                if (b->held[i].born > 0)
                        v[n++] = &b->held[i];
        qsort_safe(v, n, sizeof(*v), survivor_cmp);
        t->survivors = calloc(n + 1, sizeof(*t->survivors));
        if (!t->survivors)
                return log_error_errno(ENOMEM, "cannot group the survivors: %m");
        for (size_t i = 0; i < n;) {
                struct trend_survivors *g = &t->survivors[t->nsurvivors++];
                *g = (struct trend_survivors){
                        .size_class = v[i]->c.type ? -1 : v[i]->c.size_class,
                        .born_first = v[i]->born,
                };
                if (v[i]->c.type && !(g->type = strdup(v[i]->c.type)))
                        return log_error_errno(ENOMEM, "cannot group the survivors: %m");
                size_t j = i;
                for (; j < n && same_key(v[i], v[j]); j++) {
                        g->blocks++;
                        g->bytes += (int64_t)v[j]->c.size;
                        if (v[j]->c.leak == LEAK_DEFINITE) {
                                g->definite++;
                                g->definite_bytes += (int64_t)v[j]->c.size;
                        }
                        if (j == i || v[j]->born != v[j - 1]->born)
                                g->born_in++;
                        g->born_last = v[j]->born;
                }
                i = j;
        }
        qsort_safe(t->survivors, t->nsurvivors, sizeof(*t->survivors), by_bytes);
        return 0;
}

static int life_cmp(const void *p, const void *q)
{
        const struct trend_life *a = p, *b = q;
        if (a->born != b->born)
                return a->born < b->born ? -1 : 1;
        if (a->mem != b->mem)
                return (int64_t)a->mem < (int64_t)b->mem ? -1 : 1;
        return a->died < b->died ? -1 : a->died > b->died;
}

int trend_blocks_finish(struct trend_blocks *b)
{
        int r = survivors_group(b);
        for (size_t i = 0; i < b->nheld && r == 0; i++)
                if (b->held[i].born > 0)
                        r = life_record(b->t, &b->held[i], TREND_ALIVE);
        qsort_safe(b->t->lives, b->t->nlives, sizeof(*b->t->lives), life_cmp);
        return r;
}

void trend_blocks_free(struct trend_blocks *b)
{
        /* settled blocks gave their type away (NULL) */
        for (size_t i = 0; i < b->nheld; i++)
                free(b->held[i].c.type);
        for (size_t i = 0; i < b->nnext; i++)
                free(b->next[i].c.type);
        for (size_t i = 0; i < b->nrun; i++)
                free(b->run[i].type);
        free(b->held);
        free(b->next);
        free(b->run);
        free(b->old_run);
        free(b->match_old);
        free(b->match_new);
        *b = (struct trend_blocks){ 0 };
}
