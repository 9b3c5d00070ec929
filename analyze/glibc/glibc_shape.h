/* glibc_shape.c: main_arena and mp_ by what they look like. */
#ifndef MEMSNAP_GLIBC_SHAPE_H
#define MEMSNAP_GLIBC_SHAPE_H

#include <stdint.h>

#include "glibc.h"

/* An unused main_arena by its shape, or 0; *use says which kind. */
uint64_t glibc_shape_unused_main_arena(struct heap_ctx *h, const struct glibc_layout *l, enum allocator_state *use);
/* main_arena by its shape, or 0. */
uint64_t glibc_shape_main_arena(struct heap_ctx *h, const struct glibc_layout *l);
/* mp_ by its shape, given main_arena; or 0. */
uint64_t glibc_shape_mp(struct heap_ctx *h, const struct glibc_layout *l, uint64_t main_arena);

#endif
