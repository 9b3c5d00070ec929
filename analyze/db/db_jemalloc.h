/* db_jemalloc.c: jemalloc's tables, written inside db_write's transaction. */
#ifndef MEMSNAP_DB_JEMALLOC_H
#define MEMSNAP_DB_JEMALLOC_H

#include "analyze/analysis.h"
#include "db_sql.h"

/* Writes the jemalloc_* rows of a->heap.jemalloc; 0 or a negative errno (logged). */
int db_jemalloc_write(const struct db *d, const struct analysis *a);

#endif
