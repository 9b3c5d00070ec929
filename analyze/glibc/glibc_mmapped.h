/* glibc_mmapped.c: mmapped chunks, found by their headers. */
#ifndef MEMSNAP_GLIBC_MMAPPED_H
#define MEMSNAP_GLIBC_MMAPPED_H

#include "glibc.h"

/* Adds every mmapped chunk found to the result's chunks; 0 or a negative errno, logged. */
int glibc_mmapped_scan(struct heap_ctx *h);

#endif
