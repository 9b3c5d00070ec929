/* glibc_arena_state.c: one arena's struct malloc_state as the core holds it. */
#ifndef MEMSNAP_GLIBC_ARENA_STATE_H
#define MEMSNAP_GLIBC_ARENA_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "glibc.h"

/* malloc.c initial_top: the top of an arena that never got memory is its unsorted bin's header */
static inline uint64_t glibc_arena_state_initial_top(const struct glibc_layout *l, uint64_t arena)
{
        return arena + (uint64_t)l->ms_bins - 16;
}

/* The malloc_state at addr laid out as l; false when the core does not hold it. */
bool glibc_arena_state_read(struct heap_ctx *h, const struct glibc_layout *l, uint64_t addr,
                            struct glibc_arena_state *out);

/*
 * Whether a malloc_state laid out as l can be at addr: small lock and flag
 * words, a top chunk in the core, bins that point at themselves or back;
 * main also asks for an empty bin and a ring that holds.
 */
bool glibc_arena_state_plausible(struct heap_ctx *h, uint64_t addr, const struct glibc_layout *l, bool main);

/*
 * Whether the main_arena at addr was ever used: ALLOCATOR_UNINITIALISED as
 * the library was loaded (malloc never ran), ALLOCATOR_IDLE initialised
 * but without memory, else ALLOCATOR_IN_USE.
 */
enum allocator_state glibc_arena_state_use(struct heap_ctx *h, const struct glibc_layout *l, uint64_t addr);

#endif
