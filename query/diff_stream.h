/*
 * One side's used blocks in mem order, read on a thread of its own.
 *
 * Decoding a million SQLite rows is most of a diff's work, and the two
 * sides are independent, so each side gets a thread with its own read-only
 * connection that decodes rows into batches and hands them to the merge
 * (diff_chunks.c) through a two-slot queue; on a machine with two cores the
 * sides cost the time of one.  The thread also counts the side's growth keys.
 */
#ifndef MEMSNAP_DIFF_STREAM_H
#define MEMSNAP_DIFF_STREAM_H

#include "diff.h"
#include "diff_growth.h"

struct chunk_stream;

/* Blocks in one batch of the queue. */
#define DIFF_STREAM_BATCH 1024

/*
 * The queue's depth diff uses: one batch filling, one being read, two
 * queued.  A deeper queue lets the reader run ahead of a merge that waits
 * on something else (trend reads the next snapshot while it merges this
 * one); batches are made as the reader first needs them.
 */
#define DIFF_STREAM_DEPTH 4

/*
 * Which columns of a block the reader decodes.  Decoding is most of the
 * reading, so a reader that needs less decodes less.
 */
enum diff_stream_columns {
        /* every field of struct diff_chunk: what diff reports */
        DIFF_STREAM_ALL,
        /*
         * what pairing blocks (diff_match.h), growth keys and trend's lives
         * need: mem, size, size_class, leak, type, hash (has_hash); the
         * other fields stay zero (arena_id -1).  The reader also sums the
         * unowned blocks' retained bytes (struct diff_stream_totals), which
         * spares trend a second pass over the chunks for its owners.
         */
        DIFF_STREAM_MATCH,
};

/* A side's totals, known when its reader is finished. */
struct diff_stream_totals {
        int64_t used_chunks, used_bytes;
        /*
         * DIFF_STREAM_MATCH only: the used blocks with a retained size that
         * neither a block nor a root holder dominates (diff_owners.c's
         * "unowned"), and the sum of their retained sizes.
         */
        int64_t unowned_chunks, unowned_bytes;
};

/*
 * Starts reading the used blocks of the database at path (already checked
 * by diff_open) as side 0 (before) or 1 (after), decoding columns, counting
 * them into growth, which the caller must not touch until
 * diff_stream_finish; the reader's connection may run max_steps steps
 * (db_guard.max_steps), and holds at most depth batches of
 * DIFF_STREAM_BATCH blocks.  Logs and returns -errno.
 */
int diff_stream_start(struct chunk_stream **ret, const char *path, int side, enum diff_stream_columns columns,
                      uint64_t max_steps, size_t depth, struct growth_table *growth);

/*
 * Moves the next block into *out (ownership of out->type goes with it) and
 * returns 1, or returns 0 at the end, or a logged -errno.  Blocks come in
 * ascending mem order (signed, as SQLite sorts).
 */
int diff_stream_next(struct chunk_stream *s, struct diff_chunk *out);

/*
 * Stops the thread (early, if the caller gave up), frees everything, and
 * returns the thread's result; *totals (unless NULL) gets the side's
 * totals.  s may be NULL.
 */
int diff_stream_finish(struct chunk_stream *s, struct diff_stream_totals *totals);

#endif
