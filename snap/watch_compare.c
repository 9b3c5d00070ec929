/* Implementation of watch_compare.h: diff's model, its summary only. */
#include "watch_compare.h"

#include <errno.h>
#include <stdlib.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "query/db_open.h"
#include "query/diff.h"

int watch_compare_dbs(const char *before, const char *after, struct watch_compare *out)
{
        /* The lists are not printed: keep none of them, count all (struct diff_keep). */
        _cleanup_free_ struct diff *d = calloc(1, sizeof(*d));
        if (!d)
                return log_error_errno(ENOMEM, "cannot compare '%s' with '%s': %m", before, after);
        d->guard = (struct db_guard)DB_GUARD_INIT;
        d->max_steps = d->guard.max_steps;
        d->before.path = before;
        d->after.path = after;

        int r;
        {
                /* closed before d is freed: the connection's guard lives in d */
                _cleanup_sqlite3_ sqlite3 *db = NULL;
                r = diff_open(before, after, &d->guard, &db);
                if (r == 0)
                        r = diff_side_check_same_program(db, d, false);
                if (r == 0)
                        r = diff_chunks(db, d);
        }
        if (r == 0)
                *out = (struct watch_compare){
                        .new_leaks = diff_new_leaks(d),
                        .new_leak_bytes = d->summary.leaked_added_bytes + d->summary.leaked_changed_bytes,
                        .growth_bytes = d->after.used_bytes - d->before.used_bytes,
                };
        diff_free(d);
        return r;
}
