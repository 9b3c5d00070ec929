/*
 * Running a script of SQL statements — a user's argument to `memsnap query`
 * or one of the report files — against a read-only database, each result set
 * going to an output printer.
 *
 * Statements that do more than read are refused before anything runs
 * ("refusing to run '...': refused: it calls fts3_tokenizer() ..."): the
 * connection's guard (db_open.h) refuses them when they are prepared, and
 * VACUUM INTO, which SQLite allows on a read-only connection, is refused as
 * a statement that writes.  A clear refusal beats "not authorized".
 *
 * Comment lines just before a statement may direct how its result is shown:
 *   -- section: NAME      names the result set (a title, a JSON key)
 *   -- layout: vertical   one "name  value" line per column in the table format
 *   -- empty: omit        leave the result set out altogether when it has no rows
 *                         (a section that only applies to some snapshots)
 * Named parameters (":n") are bound from the params given, by name.
 *
 * A script may share one WITH clause among its statements (a report's
 * common CTEs, written once): among its leading comment lines,
 *   -- shared: with
 *   WITH name AS (...), ...
 *   -- end shared
 * puts that clause in front of every statement after it, which then starts
 * with SELECT, or with ", other AS (...)" for CTEs of its own.
 */
#ifndef MEMSNAP_SQL_SCRIPT_H
#define MEMSNAP_SQL_SCRIPT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "db_open.h"
#include "output_format.h"

struct sql_param {
        const char *name;  /* without the ':' */
        int64_t value;
};

/* What the comment lines before one statement ask for. */
struct sql_directives {
        char section[64];  /* "" when none */
        bool vertical;
        bool omit_empty;
};

/* Parses the comment lines at the start of text (up to len bytes). */
void sql_directives_parse(const char *text, size_t len, struct sql_directives *d);

/*
 * True when sql holds no statement: only blanks, ';' and comments ("--" to
 * the end of the line, C-style), as `query DB --header` does (the option put
 * after the database reads as an SQL comment).
 */
bool sql_script_empty(const char *sql);

/*
 * Writes sql to out as a script the sqlite3 shell runs alike: a shared
 * WITH clause is written in front of every statement after it instead of
 * once (report --sql).
 */
void sql_script_expand(const char *sql, FILE *out);

/*
 * Runs every statement of sql (NUL-terminated) on db, guarded by g (db_open.h),
 * printing each result set to o; path names the database in messages.
 * Returns 0, or a logged -errno: -EPERM for a statement that does more than
 * read, -ETIME when the step limit stopped one, -EINVAL for SQLite's own
 * errors (bad SQL), with SQLite's message.
 */
int sql_script_run(sqlite3 *db, struct db_guard *g, const char *path, const char *sql, struct output *o,
                   const struct sql_param *params, size_t nparams);

#endif
