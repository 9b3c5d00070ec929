/*
 * The owners part of a diff: what each root holder retains on both sides
 * (roots.retained, from analyze's dominator tree), matched by a key that
 * survives a restart (diff.h, struct diff_owner), so growth reads as
 * "+400 MiB retained by static g_cache in libfoo.so".
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "db_open.h"
#include "diff.h"

/* Holders read from each side at most: bounds a crafted database (a process has a few thousand). */
#define DIFF_OWNERS_MAX 1000000

struct owner_list {
        struct diff_owner *v;   /* retained_before holds this side's figure */
        size_t n;
};

void diff_owners_free(struct diff_owner *v, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(v[i].key);
                free(v[i].name);
                free(v[i].kind);
        }
        free(v);
}

static void owner_list_free(struct owner_list *l)
{
        diff_owners_free(l->v, l->n);
        *l = (struct owner_list){ 0 };
}

/*
 * The key and the name of a holder, and the unowned blocks as one more
 * row.  A module is named by its path in the key and by its file name in
 * the name, as report owners' by_holder section names it.
 */
static const char owners_sql[] =
        "WITH o AS ("
        " SELECT CASE r.kind"
        "   WHEN 'static' THEN 'static|' || COALESCE(m.path, '') || '|' || COALESCE(r.symbol, '(' || COALESCE(s.kind, '') || ')')"
        "   WHEN 'tls' THEN 'tls|' || COALESCE(m.path, '')"
        "   WHEN 'stack' THEN 'stack|' || COALESCE(t.name, '') || '|' || COALESCE(r.function, '')"
        "   WHEN 'register' THEN 'register|' || COALESCE(t.name, '') || '|' || COALESCE(r.register, '')"
        "   ELSE COALESCE(r.kind, '') || '|' || COALESCE(s.path, '') END AS key,"
        "  CASE r.kind"
        "   WHEN 'static' THEN 'static ' || COALESCE(r.symbol, '(no symbol, ' || COALESCE(s.kind, 'data') || ')')"
        "        || ' in ' || COALESCE(replace(m.path, rtrim(m.path, replace(m.path, '/', '')), ''), '?')"
        "   WHEN 'tls' THEN COALESCE('TLS in ' || replace(m.path, rtrim(m.path, replace(m.path, '/', '')), ''),"
        "        'TLS outside any module (TCB or surplus)')"
        "   WHEN 'stack' THEN 'stack ' || COALESCE('frame ' || r.function, 'outside any frame') || ' of thread '"
        "        || COALESCE(t.name, '?')"
        "   WHEN 'register' THEN 'register ' || COALESCE(r.register, '?') || ' of thread ' || COALESCE(t.name, '?')"
        "   ELSE 'anonymous mapping' || COALESCE(' ' || s.path, '') END AS name,"
        "  r.kind AS kind, r.retained AS retained"
        " FROM \"%1$s\".roots r"
        " LEFT JOIN \"%1$s\".modules m ON m.id = r.module_id"
        " LEFT JOIN \"%1$s\".segments s ON s.id = r.segment_id"
        " LEFT JOIN \"%1$s\".threads t ON t.tid = r.tid"
        "%3$s)"
        "SELECT key, min(name), min(kind), sum(retained) FROM o GROUP BY key LIMIT %2$d";

/* The unowned blocks as one more holder: the root holders' keys all hold a '|', so this key is apart. */
#define UNOWNED_KEY "unowned"
#define UNOWNED_NAME "blocks no single root holds (shared or leaked)"
#define UNOWNED_KIND "none"

/* The unowned row of owners_sql, when SQL sums it (diff_owners_add_unowned when the caller did). */
static const char unowned_sql[] =
        " UNION ALL"
        " SELECT '" UNOWNED_KEY "', '" UNOWNED_NAME "', '" UNOWNED_KIND "', sum(c.retained)"
        " FROM \"%1$s\".chunks c"
        " WHERE c.state = 'used' AND c.idom IS NULL AND c.idom_root IS NULL AND c.retained IS NOT NULL"
        "  AND EXISTS (SELECT 1 FROM \"%1$s\".roots)"
        " HAVING count(*) > 0";

static int by_key(const void *p, const void *q)
{
        return strcmp(((const struct diff_owner *)p)->key, ((const struct diff_owner *)q)->key);
}

static int owners_load(sqlite3 *db, struct db_guard *g, const char *schema, const char *path, bool unowned,
                       struct owner_list *l)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_free_ char *sql = NULL, *unowned_part = NULL;
        size_t cap = 0;
        int r;

        if (asprintf(&unowned_part, unowned ? unowned_sql : "", schema) < 0) {
                unowned_part = NULL;
                return log_error_errno(ENOMEM, "cannot read the roots of '%s': %m", path);
        }
        if (asprintf(&sql, owners_sql, schema, DIFF_OWNERS_MAX, unowned_part) < 0) {
                sql = NULL;
                return log_error_errno(ENOMEM, "cannot read the roots of '%s': %m", path);
        }
        if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
                return log_error_errno(EIO, "cannot read the roots of '%s': %s", path, db_open_errmsg(db, g));
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
                if (ARRAY_RESERVE(l->v, cap, l->n + 1) < 0)
                        return log_error_errno(ENOMEM, "cannot read the roots of '%s': %m", path);
                const unsigned char *key = sqlite3_column_text(st, 0), *name = sqlite3_column_text(st, 1),
                                    *kind = sqlite3_column_text(st, 2);
                struct diff_owner *o = &l->v[l->n++];
                *o = (struct diff_owner){
                        .key = strdup(key ? (const char *)key : ""),
                        .name = strdup(name ? (const char *)name : "?"),
                        .kind = strdup(kind ? (const char *)kind : "?"),
                        .retained_before = sqlite3_column_int64(st, 3),
                };
                if (!o->key || !o->name || !o->kind)
                        return log_error_errno(ENOMEM, "cannot read the roots of '%s': %m", path);
        }
        if (r != SQLITE_DONE)
                return log_error_errno(EIO, "cannot read the roots of '%s': %s", path, db_open_errmsg(db, g));
        /* sorted here, not by SQL's collation: the merge below compares with strcmp */
        qsort_safe(l->v, l->n, sizeof(*l->v), by_key);
        return 0;
}

int diff_owners_load(sqlite3 *db, struct db_guard *g, const char *schema, const char *path, bool unowned,
                     struct diff_owner **ret, size_t *n)
{
        struct owner_list l = { 0 };
        int r = owners_load(db, g, schema, path, unowned, &l);
        if (r < 0) {
                owner_list_free(&l);
                return r;
        }
        *ret = l.v;
        *n = l.n;
        return 0;
}

int diff_owners_add_unowned(struct diff_owner **v, size_t *n, int64_t chunks, int64_t bytes, const char *path)
{
        /* as unowned_sql: only beside root holders, and only when some block is unowned */
        if (*n == 0 || chunks == 0)
                return 0;
        struct diff_owner *w = reallocarray(*v, *n + 1, sizeof(**v));
        if (!w)
                return log_error_errno(ENOMEM, "cannot read the roots of '%s': %m", path);
        *v = w;
        struct diff_owner *o = &w[*n];
        *o = (struct diff_owner){
                .key = strdup(UNOWNED_KEY), .name = strdup(UNOWNED_NAME), .kind = strdup(UNOWNED_KIND),
                .retained_before = bytes,
        };
        (*n)++;
        if (!o->key || !o->name || !o->kind)
                return log_error_errno(ENOMEM, "cannot read the roots of '%s': %m", path);
        /* sorted by key, as diff_owners_load leaves them */
        qsort_safe(w, *n, sizeof(*w), by_key);
        return 0;
}

static int by_growth(const void *p, const void *q)
{
        const struct diff_owner *a = p, *b = q;
        int64_t da = a->retained_after - a->retained_before, db = b->retained_after - b->retained_before;
        if (da != db)
                return da > db ? -1 : 1;
        return strcmp(a->key, b->key);
}

/* Moves o (one side's holder) into d->owners with its figure on that side. */
static void take(struct diff *d, struct diff_owner *o, int64_t before, int64_t after)
{
        d->owners[d->nowners++] = (struct diff_owner){
                .key = o->key, .name = o->name, .kind = o->kind,
                .retained_before = before, .retained_after = after,
        };
        o->key = o->name = o->kind = NULL;
}

int diff_owners(sqlite3 *db, struct diff *d)
{
        struct owner_list a = { 0 }, b = { 0 };
        int r;

        r = owners_load(db, &d->guard, "a", d->before.path, true, &a);
        if (r == 0)
                r = owners_load(db, &d->guard, "b", d->after.path, true, &b);
        if (r == 0 && !(d->owners = calloc(a.n + b.n + 1, sizeof(*d->owners))))
                r = log_error_errno(ENOMEM, "cannot compare owners: %m");
        for (size_t i = 0, j = 0; r == 0 && (i < a.n || j < b.n);) {
                int c = i == a.n ? 1 : j == b.n ? -1 : strcmp(a.v[i].key, b.v[j].key);
                if (c < 0) {
                        if (a.v[i].retained_before)
                                take(d, &a.v[i], a.v[i].retained_before, 0);
                        i++;
                } else if (c > 0) {
                        if (b.v[j].retained_before)
                                take(d, &b.v[j], 0, b.v[j].retained_before);
                        j++;
                } else {
                        /* after's name: it says what holds the memory now */
                        if (a.v[i].retained_before != b.v[j].retained_before)
                                take(d, &b.v[j], a.v[i].retained_before, b.v[j].retained_before);
                        i++, j++;
                }
        }
        if (r == 0)
                qsort_safe(d->owners, d->nowners, sizeof(*d->owners), by_growth);
        owner_list_free(&a);
        owner_list_free(&b);
        return r;
}
