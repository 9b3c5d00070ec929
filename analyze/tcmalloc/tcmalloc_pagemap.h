/*
 * Every span of a gperftools page heap, found through its pagemap: the
 * radix tree (TCMalloc_PageMap2, pagemap.h) from page number to Span that
 * tcmalloc itself uses to find an object's span on free().  The tree is
 * the only index of all spans: one handed out whole (a large block) is on
 * no list.
 *
 * A span is recorded at its first and last page (free spans, large
 * blocks) or at every page (small-object spans); pages inside a span may
 * still name spans merged or split long ago.  So the walk takes the span
 * a page names only when that span starts at that page, and steps over
 * the rest of it; a page past every span so far that names a span
 * starting elsewhere is a warning.
 */
#ifndef MEMSNAP_TCMALLOC_PAGEMAP_H
#define MEMSNAP_TCMALLOC_PAGEMAP_H

#include <stdint.h>

#include "analyze/core/core.h"
#include "analyze/warnings.h"
#include "analyze/tcmalloc_tables.h"
#include "tcmalloc_layout.h"

#define TCMALLOC_SPANS_MAX (1u << 24) /* past them the rest is a warning, not memory */

/*
 * Appends the spans of the page heap at pageheap to h->spans, in address
 * order (h->nclasses must be set).  What cannot be read or does not fit
 * becomes a warning (stage "heap") naming its address.  0, or -ENOMEM.
 */
int tcmalloc_pagemap_walk(const struct core *c, uint64_t pageheap, struct tcmalloc_heap *h, struct warnings *w);

#endif
