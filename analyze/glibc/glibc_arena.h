/* glibc_arena.c: the ring of arenas and their heap_info chains. */
#ifndef MEMSNAP_GLIBC_ARENA_H
#define MEMSNAP_GLIBC_ARENA_H

#include "glibc.h"

/* Fills the result's arenas and heaps, h->states and h->regions; 0 or a negative errno, logged. */
int glibc_arenas_collect(struct heap_ctx *h);

#endif
