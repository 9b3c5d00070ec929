/*
 * A fast 64-bit hash of a block's bytes (XXH3), stored in chunks.hash so
 * that diff can tell a block that stayed from a new one that reuses its
 * address and size.  Not cryptographic: a crafted process can make two
 * blocks collide, which only makes diff call a changed block unchanged.
 */
#ifndef MEMSNAP_CHUNK_HASH_H
#define MEMSNAP_CHUNK_HASH_H

#include <stddef.h>
#include <stdint.h>

/*
 * Never 0: the database keeps 0 (NULL) for "not computed".
 *
 * A block longer than CHUNK_HASH_PIECE is hashed piece by piece (pieces of
 * that many bytes from its start) and the pieces' hashes, each seeded with
 * its index, are summed; a piece of zeros adds nothing; the sum is hashed
 * again, seeded with the length (docs/database.md spells the definition
 * out).  So a block that a sparse core holds mostly as holes hashes as fast
 * as the bytes it holds, and equal to the same block read whole from a
 * dense core.
 */
#define CHUNK_HASH_PIECE 4096
uint64_t chunk_hash(const void *bytes, size_t len);

/*
 * chunk_hash of the len bytes at mem, read through the core: holes and
 * zero tails are skipped, never touched; 0 when the core does not know
 * every byte.  *hint as for core_ptr_near (start it zeroed).
 */
struct core;
struct core_span;
uint64_t chunk_hash_in_core(const struct core *c, struct core_span *hint, uint64_t mem, uint64_t len);

#endif
