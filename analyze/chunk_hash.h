/*
 * A fast 64-bit hash of a block's bytes, stored in chunks.hash so that diff
 * can tell a block that stayed from a new one that reuses its address and
 * size.  Not cryptographic: a crafted process can make two blocks collide,
 * which only makes diff call a changed block unchanged.
 */
#ifndef MEMSNAP_CHUNK_HASH_H
#define MEMSNAP_CHUNK_HASH_H

#include <stddef.h>
#include <stdint.h>

/* Never 0: the database keeps 0 (NULL) for "not computed". */
uint64_t chunk_hash(const void *bytes, size_t len);

#endif
