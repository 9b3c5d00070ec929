/*
 * Growth between two snapshots by a key that survives address changes: a
 * block's type hint where reach found one ("type:Widget"), else its
 * power-of-two size class ("size:64").  Each side is grouped on its own and
 * the groups joined, so the cost is two scans whatever moved.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "db_open.h"
#include "diff.h"

#define GROUP_SQL(schema)                                                                        \
        "SELECT CASE WHEN type IS NOT NULL THEN 'type:' || type ELSE 'size:' || size_class END AS key, " \
        "       type, CASE WHEN type IS NULL THEN size_class END AS size_class, "                \
        "       count(*) AS n, sum(size) AS bytes "                                              \
        "FROM " schema ".chunks WHERE state = 'used' GROUP BY key"

static const char growth_sql[] =
        "WITH ga AS (" GROUP_SQL("a") "), gb AS (" GROUP_SQL("b") ") "
        "SELECT key, COALESCE(ga.type, gb.type), COALESCE(ga.size_class, gb.size_class), "
        "       COALESCE(ga.n, 0), COALESCE(gb.n, 0), COALESCE(ga.bytes, 0), COALESCE(gb.bytes, 0) "
        "FROM ga FULL JOIN gb USING (key) "
        "WHERE COALESCE(ga.n, 0) <> COALESCE(gb.n, 0) OR COALESCE(ga.bytes, 0) <> COALESCE(gb.bytes, 0) "
        "ORDER BY COALESCE(gb.bytes, 0) - COALESCE(ga.bytes, 0) DESC, key";

int diff_growth(sqlite3 *db, struct diff *d)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        size_t cap = 0;
        int r;

        if (sqlite3_prepare_v2(db, growth_sql, -1, &st, NULL) != SQLITE_OK)
                return log_error_errno(EIO, "cannot compare '%s' and '%s': %s", d->before.path, d->after.path,
                                       sqlite3_errmsg(db));
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
                if (d->ngrowth == cap) {
                        cap = cap ? cap * 2 : 16;
                        void *p = realloc(d->growth, cap * sizeof(*d->growth));
                        if (!p)
                                return log_error_errno(ENOMEM, "cannot compare: %m");
                        d->growth = p;
                }
                struct diff_growth *g = &d->growth[d->ngrowth];
                const unsigned char *key = sqlite3_column_text(st, 0);
                const unsigned char *type = sqlite3_column_text(st, 1);
                *g = (struct diff_growth){
                        .key = strdup(key ? (const char *)key : ""),
                        .type = type ? strdup((const char *)type) : NULL,
                        .size_class = sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 2),
                        .count_before = sqlite3_column_int64(st, 3),
                        .count_after = sqlite3_column_int64(st, 4),
                        .bytes_before = sqlite3_column_int64(st, 5),
                        .bytes_after = sqlite3_column_int64(st, 6),
                };
                d->ngrowth++;
                if (!g->key || (type && !g->type))
                        return log_error_errno(ENOMEM, "cannot compare: %m");
        }
        if (r != SQLITE_DONE)
                return log_error_errno(EIO, "cannot compare '%s' and '%s': %s", d->before.path, d->after.path,
                                       sqlite3_errmsg(db));
        return 0;
}
