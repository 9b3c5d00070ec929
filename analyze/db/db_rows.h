/*
 * The two big tables, chunks and refs, written straight from the analysis's
 * arrays with one INSERT ... SELECT each over a row source (db_source.h).
 * Each row is computed as SQLite reads it: the text of an enum, the ids
 * (array index + 1), the derived sizes, the first bytes of a used block.
 */
#ifndef MEMSNAP_DB_ROWS_H
#define MEMSNAP_DB_ROWS_H

#include <stddef.h>

#include "analyze/analysis.h"
#include "db_sql.h"

struct progress;

/*
 * Appends a->heap.chunks[from..end) to the chunks table, with ids from + 1 ..
 * end: the table must hold exactly the chunks before `from`, or be empty
 * (a batch's in-memory database, db_side.h).  Rows go in walk order,
 * address order within each heap, so an index on mem grows at its end
 * but for a jump between heaps.  progress, when set, is updated with
 * progress_base plus the chunk index.
 */
int db_rows_chunks(const struct db *d, const struct analysis *a, size_t from, size_t end, struct progress *progress,
                   size_t progress_base);

/*
 * Appends every ref to the (empty) refs table, in a->reach.refs order: from_chunk
 * order, as reach finds them.  Indexes on refs led by another column are
 * dropped first and must be built after the rows (but one on to_chunk
 * stays when the refs happen to point in ascending order too): *rebuild
 * gets the SQL that builds them (sqlite3_free it), so the caller can give
 * back the refs' memory before the sort.
 */
int db_rows_refs(const struct db *d, const struct analysis *a, struct progress *progress, size_t progress_base,
                 char **rebuild);

#endif
