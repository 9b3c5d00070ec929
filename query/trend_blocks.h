/*
 * Following blocks through the snapshots of a trend, one snapshot at a
 * time (trend.h): births, deaths, the lives of blocks and the survivors.
 *
 * Only the blocks of the previous snapshot are held, in mem order: each
 * snapshot's blocks stream past them in mem order (diff_stream.c), like
 * diff's merge (diff_chunks.c), and blocks of one mem pair up by diff's rule
 * (diff_match.c).  A block that pairs with one of the same size lives on
 * and keeps its birth; any other is born here; a held block nothing pairs
 * with died here.  Memory follows one snapshot's blocks plus the lives
 * recorded, not the number of snapshots.
 *
 * Pure bookkeeping: blocks come from the caller (the stream, or a unit
 * test's fixture); counts go into t->snapshots[index], lives into t->lives.
 */
#ifndef MEMSNAP_TREND_BLOCKS_H
#define MEMSNAP_TREND_BLOCKS_H

#include <stddef.h>
#include <stdint.h>

#include "diff.h"
#include "trend.h"

/* A block the previous snapshot held, and the snapshot it was born in. */
struct trend_held {
        struct diff_chunk c;        /* c.type is owned */
        uint32_t born;
};

struct trend_blocks {
        struct trend *t;
        uint32_t index;             /* the snapshot being read */
        struct trend_held *held;    size_t nheld, cap_held;  /* the previous snapshot's, by mem */
        size_t pos;                 /* held[0..pos) are settled for this snapshot */
        struct trend_held *next;    size_t nnext, cap_next;  /* this snapshot's so far, by mem */
        struct diff_chunk *run;     size_t nrun, cap_run;    /* this snapshot's blocks of one mem, unsettled */
        struct diff_chunk *old_run; size_t cap_old_run;      /* scratch for diff_match_run */
        size_t *match_old, *match_new; size_t cap_match;
        uint64_t prev_mem;          /* of the last block added (they must come in mem order) */
};

/* Starts snapshot index (0, 1, ... in time order); the first makes every block born there. */
void trend_blocks_begin(struct trend_blocks *b, struct trend *t, uint32_t index);

/*
 * The next block of the snapshot, in ascending mem order (signed, as
 * SQLite sorts); takes c->type.  Logs and returns -errno (-EINVAL for a
 * block out of order).
 */
int trend_blocks_add(struct trend_blocks *b, struct diff_chunk *c);

/* Ends the snapshot: held blocks not seen died in it. */
int trend_blocks_end(struct trend_blocks *b);

/*
 * After the last snapshot: records the lives still going (born after the
 * first snapshot), sorts t->lives by birth and mem, and groups the
 * survivors into t->survivors.
 */
int trend_blocks_finish(struct trend_blocks *b);

void trend_blocks_free(struct trend_blocks *b);

#endif
