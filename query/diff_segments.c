/*
 * The mappings part of a diff: mappings added, removed and resized, and the
 * top/pmap figures per segment kind on both sides.
 *
 * A mapping that stayed keeps its start (brk moves [heap]'s end) or, when
 * it grew down — the kernel merges an mmap placed just below an anonymous
 * mapping into it — its end, kind and path; either way it is one mapping
 * resized, not one removed and one added.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/proc_maps.h"
#include "db_open.h"
#include "diff.h"

struct seg_list {
        struct diff_segment *v;
        bool *matched;
        size_t n;
};

static void seg_list_free(struct seg_list *l)
{
        for (size_t i = 0; i < l->n; i++) {
                free(l->v[i].kind);
                free(l->v[i].path);
        }
        free(l->v);
        free(l->matched);
}

static int seg_load(sqlite3 *db, struct db_guard *g, const char *schema, const char *path, struct seg_list *l)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        char sql[256];
        size_t cap = 0;
        int r;

        snprintf(sql, sizeof(sql),
                 "SELECT start, end, perms, kind, path, rss_kb FROM \"%s\".segments ORDER BY start, end", schema);
        if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
                return log_error_errno(EIO, "cannot read the segments of '%s': %s", path, db_open_errmsg(db, g));
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
                if (l->n >= MAPS_MAX)
                        return log_error_errno(E2BIG, "'%s' has more than %u segments", path, MAPS_MAX);
                if (ARRAY_RESERVE(l->v, cap, l->n + 1) < 0)
                        return log_error_errno(ENOMEM, "cannot read the segments of '%s': %m", path);
                struct diff_segment *s = &l->v[l->n++];
                const unsigned char *perms = sqlite3_column_text(st, 2);
                const unsigned char *kind = sqlite3_column_text(st, 3);
                const unsigned char *p = sqlite3_column_text(st, 4);
                *s = (struct diff_segment){
                        .start = (uint64_t)sqlite3_column_int64(st, 0),
                        .end = (uint64_t)sqlite3_column_int64(st, 1),
                        .kind = kind ? strdup((const char *)kind) : NULL,
                        .path = p ? strdup((const char *)p) : NULL,
                        .rss_kb = sqlite3_column_type(st, 5) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 5),
                };
                snprintf(s->perms, sizeof(s->perms), "%s", perms ? (const char *)perms : "");
                if ((kind && !s->kind) || (p && !s->path))
                        return log_error_errno(ENOMEM, "cannot read the segments of '%s': %m", path);
        }
        if (r != SQLITE_DONE)
                return log_error_errno(EIO, "cannot read the segments of '%s': %s", path, db_open_errmsg(db, g));
        l->matched = calloc(l->n + 1, sizeof(bool));
        if (!l->matched)
                return log_error_errno(ENOMEM, "cannot read the segments of '%s': %m", path);
        return 0;
}

static int seg_dup(struct diff_segment *to, const struct diff_segment *from)
{
        *to = *from;
        to->kind = from->kind ? strdup(from->kind) : NULL;
        to->path = from->path ? strdup(from->path) : NULL;
        return (from->kind && !to->kind) || (from->path && !to->path) ? -ENOMEM : 0;
}

static int delta_add(struct diff *d, size_t *cap, enum diff_segment_change change, const struct diff_segment *a,
                     const struct diff_segment *b)
{
        if (ARRAY_RESERVE(d->segments, *cap, d->nsegments + 1) < 0)
                return log_error_errno(ENOMEM, "cannot compare segments: %m");
        struct diff_segment_delta *x = &d->segments[d->nsegments++];
        *x = (struct diff_segment_delta){ .change = change };
        if ((a && seg_dup(&x->before, a) < 0) || (b && seg_dup(&x->after, b) < 0))
                return log_error_errno(ENOMEM, "cannot compare segments: %m");
        return 0;
}

/* Both lists are sorted by start: pairs with equal start are one mapping (resized if the end moved). */
static int match_by_start(struct diff *d, size_t *cap, struct seg_list *a, struct seg_list *b)
{
        size_t i = 0, j = 0;
        while (i < a->n && j < b->n) {
                /* signed, as SQLite ordered them */
                if ((int64_t)a->v[i].start < (int64_t)b->v[j].start)
                        i++;
                else if ((int64_t)b->v[j].start < (int64_t)a->v[i].start)
                        j++;
                else {
                        a->matched[i] = b->matched[j] = true;
                        if (a->v[i].end != b->v[j].end) {
                                int r = delta_add(d, cap, DIFF_SEG_RESIZED, &a->v[i], &b->v[j]);
                                if (r < 0)
                                        return r;
                        }
                        i++, j++;
                }
        }
        return 0;
}

static int cmp_str(const char *a, const char *b)
{
        if (!a || !b)
                return !a && !b ? 0 : !a ? -1 : 1;
        return strcmp(a, b);
}

/* Order of the second match: end, kind, path. */
static int seg_end_cmp(const struct diff_segment *a, const struct diff_segment *b)
{
        if (a->end != b->end)
                return a->end < b->end ? -1 : 1;
        int c = cmp_str(a->kind, b->kind);
        return c ? c : cmp_str(a->path, b->path);
}

static int seg_ptr_cmp(const void *p, const void *q)
{
        return seg_end_cmp(*(struct diff_segment *const *)p, *(struct diff_segment *const *)q);
}

/* The unmatched mappings of l, sorted for match_by_end. */
static struct diff_segment **unmatched_by_end(struct seg_list *l, size_t *n)
{
        struct diff_segment **v = calloc(l->n + 1, sizeof(*v));
        if (!v)
                return NULL;
        *n = 0;
        for (size_t i = 0; i < l->n; i++)
                if (!l->matched[i])
                        v[(*n)++] = &l->v[i];
        qsort_safe(v, *n, sizeof(*v), seg_ptr_cmp);
        return v;
}

/* What is left: a mapping that grew or shrank at its start keeps its end, kind and path. */
static int match_by_end(struct diff *d, size_t *cap, struct seg_list *a, struct seg_list *b)
{
        size_t na, nb;
        _cleanup_free_ struct diff_segment **ua = unmatched_by_end(a, &na);
        _cleanup_free_ struct diff_segment **ub = unmatched_by_end(b, &nb);

        if (!ua || !ub)
                return log_error_errno(ENOMEM, "cannot compare segments: %m");
        for (size_t i = 0, j = 0; i < na && j < nb;) {
                int c = seg_end_cmp(ua[i], ub[j]);
                if (c < 0)
                        i++;
                else if (c > 0)
                        j++;
                else {
                        a->matched[ua[i] - a->v] = b->matched[ub[j] - b->v] = true;
                        int r = delta_add(d, cap, DIFF_SEG_RESIZED, ua[i], ub[j]);
                        if (r < 0)
                                return r;
                        i++, j++;
                }
        }
        return 0;
}

static uint64_t delta_start(const struct diff_segment_delta *x)
{
        return x->change == DIFF_SEG_REMOVED ? x->before.start : x->after.start;
}

static int delta_cmp(const void *p, const void *q)
{
        uint64_t a = delta_start(p), b = delta_start(q);
        return a < b ? -1 : a > b;
}

static int kinds_load(sqlite3 *db, struct diff *d)
{
        static const char sql[] =
                /* a kind one side lacks has 0 there, not "unknown" */
                "SELECT kind, a.virt_kb, b.virt_kb, "
                "       CASE WHEN a.segments IS NULL THEN 0 ELSE a.res_kb END, "
                "       CASE WHEN b.segments IS NULL THEN 0 ELSE b.res_kb END "
                "FROM a.segment_summary a FULL JOIN b.segment_summary b USING (kind) "
                "WHERE a.virt_kb IS NOT b.virt_kb OR a.res_kb IS NOT b.res_kb OR kind = 'total' "
                "ORDER BY kind = 'total', COALESCE(b.res_kb, b.virt_kb, 0) - COALESCE(a.res_kb, a.virt_kb, 0) DESC, kind";
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        size_t cap = 0;
        int r;

        if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
                return log_error_errno(EIO, "cannot compare the segments of '%s' and '%s': %s", d->before.path,
                                       d->after.path, db_open_errmsg(db, &d->guard));
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
                if (ARRAY_RESERVE(d->kinds, cap, d->nkinds + 1) < 0)
                        return log_error_errno(ENOMEM, "cannot compare segments: %m");
                const unsigned char *kind = sqlite3_column_text(st, 0);
                struct diff_kind *k = &d->kinds[d->nkinds++];
                *k = (struct diff_kind){
                        .kind = strdup(kind ? (const char *)kind : ""),
                        .virt_kb_before = sqlite3_column_int64(st, 1),
                        .virt_kb_after = sqlite3_column_int64(st, 2),
                        .rss_kb_before = sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 3),
                        .rss_kb_after = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 4),
                };
                if (!k->kind)
                        return log_error_errno(ENOMEM, "cannot compare segments: %m");
        }
        if (r != SQLITE_DONE)
                return log_error_errno(EIO, "cannot compare the segments of '%s' and '%s': %s", d->before.path,
                                       d->after.path, db_open_errmsg(db, &d->guard));
        return 0;
}

int diff_segments(sqlite3 *db, struct diff *d)
{
        struct seg_list a = { 0 }, b = { 0 };
        size_t cap = 0;
        int r;

        r = seg_load(db, &d->guard, "a", d->before.path, &a);
        if (r == 0)
                r = seg_load(db, &d->guard, "b", d->after.path, &b);
        if (r == 0)
                r = match_by_start(d, &cap, &a, &b);
        if (r == 0)
                r = match_by_end(d, &cap, &a, &b);
        for (size_t i = 0; r == 0 && i < a.n; i++)
                if (!a.matched[i])
                        r = delta_add(d, &cap, DIFF_SEG_REMOVED, &a.v[i], NULL);
        for (size_t j = 0; r == 0 && j < b.n; j++)
                if (!b.matched[j])
                        r = delta_add(d, &cap, DIFF_SEG_ADDED, NULL, &b.v[j]);
        seg_list_free(&a);
        seg_list_free(&b);
        if (r < 0)
                return r;
        qsort_safe(d->segments, d->nsegments, sizeof(*d->segments), delta_cmp);
        return kinds_load(db, d);
}
