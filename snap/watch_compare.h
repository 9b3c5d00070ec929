/*
 * What changed between two snapshots of a watch, as `memsnap diff` counts
 * it (query/diff.h): new definite leaks and the growth of the used heap.
 */
#ifndef MEMSNAP_WATCH_COMPARE_H
#define MEMSNAP_WATCH_COMPARE_H

#include <stddef.h>
#include <stdint.h>

struct watch_compare {
        size_t new_leaks;             /* blocks: added definite, or stayed and became definite */
        uint64_t new_leak_bytes;
        int64_t growth_bytes;         /* used chunks' bytes, after minus before */
};

/* Compares the databases before and after; logs and returns -errno. */
int watch_compare_dbs(const char *before, const char *after, struct watch_compare *out);

#endif
