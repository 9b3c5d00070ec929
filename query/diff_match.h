/*
 * Which blocks of two snapshots are the same block: the one rule `memsnap
 * diff` (diff_chunks.c) and `memsnap trend` (trend_blocks.c) both follow.
 *
 * A C heap block does not move, so its user address names it; two blocks
 * at the same mem are the same block when their sizes agree and, where
 * both snapshots hashed the content, so do the hashes.  Blocks at one mem
 * whose sizes differ pair up after that, as one block resized in place
 * (diff calls such a pair changed); what is left was freed or allocated.
 * A real database holds one used block per mem; runs of several come only
 * from crafted files, and pair up by the same rule.
 */
#ifndef MEMSNAP_DIFF_MATCH_H
#define MEMSNAP_DIFF_MATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "diff.h"

/* No partner: the block was freed (a side of before) or allocated (of after). */
#define DIFF_MATCH_NONE SIZE_MAX

/* The same block on both sides (their mem being equal): same size, and same content where both were hashed. */
bool diff_match_same_block(const struct diff_chunk *a, const struct diff_chunk *b);

/*
 * Pairs the blocks of one mem: a[0..na) of before with b[0..nb) of after.
 * match_a[i] is the index in b paired with a[i], match_b[j] the index in a
 * paired with b[j], or DIFF_MATCH_NONE.  Same blocks pair first, then
 * blocks whose size differs (in the order of a, each with the first free
 * partner).  Pure: no allocation, no logging.
 */
void diff_match_run(const struct diff_chunk *a, size_t na, const struct diff_chunk *b, size_t nb, size_t *match_a,
                    size_t *match_b);

#endif
