/*
 * Snapshot databases for the query unit tests: a temporary file made from
 * the very SQL `memsnap analyze` writes (schema/sql, embedded), plus rows a
 * test chooses, so query, report and diff run against known contents.
 */
#ifndef MEMSNAP_QUERY_FIXTURE_H
#define MEMSNAP_QUERY_FIXTURE_H

#include <stdio.h>

/* Creates a database with the schema, views and indexes, then runs sql (may be NULL).
 * path receives the file name (a buffer of at least 64 bytes).  Aborts the test on failure. */
void fixture_db(char *path, const char *sql);

/*
 * Two fixture databases (before, after) opened as diff opens them, with
 * d's paths set.  The paths are unlinked by fixture_diff_close.
 */
struct diff;
typedef struct sqlite3 sqlite3;
sqlite3 *fixture_diff_open(struct diff *d, const char *before_sql, const char *after_sql);
void fixture_diff_close(sqlite3 *db, struct diff *d);

/* Everything the test printed to a memstream, for comparison. */
struct capture {
        char *buf;
        size_t len;
        FILE *f;
};
FILE *capture_begin(struct capture *c);
const char *capture_end(struct capture *c);  /* the text; freed by the next capture_begin or capture_free */
void capture_free(struct capture *c);

#endif
