/* glibc_find.c: where main_arena and mp_ are, by symbol or by shape. */
#ifndef MEMSNAP_GLIBC_FIND_H
#define MEMSNAP_GLIBC_FIND_H

#include "glibc.h"

/* Fills h->roots (and h->layout when the version was unknown); 0 or a negative errno, logged. */
int glibc_find_roots(struct heap_ctx *h);

#endif
