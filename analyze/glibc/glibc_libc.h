/* glibc_libc.c: which mappings are the C library, and what is known of it. */
#ifndef MEMSNAP_GLIBC_LIBC_H
#define MEMSNAP_GLIBC_LIBC_H

#include "glibc.h"

/* Fills h->libc from the modules stage or the segments' paths; 0 or -ENOMEM. */
int glibc_libc_find(struct heap_ctx *h);
void glibc_libc_free(struct glibc_libc *l);

#endif
