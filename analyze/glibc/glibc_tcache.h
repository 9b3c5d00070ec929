/* glibc_tcache.c: each thread's tcache and the chunks it holds. */
#ifndef MEMSNAP_GLIBC_TCACHE_H
#define MEMSNAP_GLIBC_TCACHE_H

#include "glibc.h"

/* Fills the result's tcaches and marks their chunks free in bin tcache; 0 or a negative errno, logged. */
int glibc_tcache_classify(struct heap_ctx *h);

#endif
