/*
 * Writing what the tcmalloc walker found (a->heap.tcmalloc) into the
 * tcmalloc_* tables; its blocks are chunks rows, written with every
 * allocator's.
 */
#ifndef MEMSNAP_DB_TCMALLOC_H
#define MEMSNAP_DB_TCMALLOC_H

#include "analyze/analysis.h"
#include "db_sql.h"

/* Nothing when tcmalloc's heap was not read; else its rows.  0 or -EIO (logged). */
int db_tcmalloc_write(const struct db *d, const struct analysis *a);

#endif
