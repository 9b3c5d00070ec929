/* glibc_bins.c: the arena free lists, fastbins and bins. */
#ifndef MEMSNAP_GLIBC_BINS_H
#define MEMSNAP_GLIBC_BINS_H

#include "glibc.h"

/* Marks the chunks each arena's fastbins and bins hold free, in their bin. */
void glibc_bins_classify(struct heap_ctx *h);

#endif
