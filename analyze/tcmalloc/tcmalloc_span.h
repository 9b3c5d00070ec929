/*
 * One gperftools Span (span.h) read out of a core: the run of pages it
 * covers, its size class, where it is (in use, on a normal or a returned
 * free list), the head of its free objects and its list links.
 */
#ifndef MEMSNAP_TCMALLOC_SPAN_H
#define MEMSNAP_TCMALLOC_SPAN_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze/core/core.h"
#include "analyze/tcmalloc_tables.h"
#include "tcmalloc_layout.h"

/* A Span as read, with its list links (which the heap's span table does not keep). */
struct tcmalloc_span_read {
        struct tcmalloc_span span;
        uint64_t next, prev;
};

/* Decodes the TCMALLOC_SPAN_BYTES bytes of a Span at addr (its bit fields as GCC lays them out on x86-64). */
void tcmalloc_span_decode(const uint8_t *raw, uint64_t addr, struct tcmalloc_span_read *out);

/*
 * Reads the Span at addr; false when the core does not hold it, or it is
 * not one a page heap could hold: no pages, more than kMaxValidPages, or
 * pages past the 48-bit address space, a location past
 * ON_RETURNED_FREELIST, a size class at or past nclasses, or a size
 * class on a span that is not in use.
 */
bool tcmalloc_span_read(const struct core *c, uint64_t addr, uint32_t nclasses, struct tcmalloc_span_read *out);

#endif
