/* glibc_chunks.c: the chunks, walked region by region and marked free by the lists. */
#ifndef MEMSNAP_GLIBC_CHUNKS_H
#define MEMSNAP_GLIBC_CHUNKS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "glibc.h"

int glibc_chunks_add(struct heap_ctx *h, uint64_t address, uint64_t size, int arena_id, enum chunk_state state,
                     bool mmapped);
int glibc_chunks_walk(struct heap_ctx *h, const struct heap_region *r);

/* The index of the chunk whose header is at address, or -1. */
ssize_t glibc_chunk_find(const struct heap_result *heap, uint64_t address);

/* Whether chunk i's successor has PREV_INUSE clear (h->looks_free, from the orchestrator). */
static inline bool glibc_chunk_looks_free(const struct heap_ctx *h, size_t i)
{
        return (h->looks_free[i / 64] >> (i % 64)) & 1;
}

/* "a fastbin", "the unsorted bin", ...: a list as messages name it. */
const char *glibc_chunk_bin_label(enum chunk_bin b);

/* Marks chunk i free in bin b; false (and a warning) when it already is, is top, or is mmapped. */
bool glibc_chunk_mark_free(struct heap_ctx *h, size_t i, enum chunk_bin bin, const char *list);

#endif
