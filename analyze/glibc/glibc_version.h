/* glibc_version.c: the release of the C library, which decides every layout. */
#ifndef MEMSNAP_GLIBC_VERSION_H
#define MEMSNAP_GLIBC_VERSION_H

#include <stdbool.h>
#include <stddef.h>

#include "glibc.h"

/* The banner's release ("... release version 2.36."), from buf. */
bool glibc_version_parse(const void *buf, size_t len, struct glibc_version *v);
/* The release a versioned file name says (libc-2.28.so). */
bool glibc_version_from_filename(const char *path, struct glibc_version *v);
/* Fills h->version and the heap result's glibc_version and glibc_build_id; 0 or -ENOMEM. */
int glibc_version_detect(struct heap_ctx *h);

#endif
