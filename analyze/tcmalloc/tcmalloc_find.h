/*
 * Finding gperftools' heap in a core: Static::pageheap_, Static::sizemap_
 * and Static::central_cache_, which libtcmalloc_minimal.so.4 keeps hidden
 * (not in .dynsym; only a debug file's symbol table names them), and
 * ThreadCache::thread_heaps_, which it exports.
 *
 * An address the caller knows from symbols is checked against the layout
 * (tcmalloc_layout.h) and kept when it fits; one it does not know is
 * looked for in the library's writable memory by shape: the size map is
 * the one place whose class_to_size_ rises from 0, 8, 16 to kMaxSize; the
 * central caches are 1216-byte records whose size_class_ counts 0, 1, 2,
 * ...; the page heap is where the free_ span lists start with two dummy
 * spans linked to themselves (no span is 0 pages long) at their offset
 * in PageHeap.
 */
#ifndef MEMSNAP_TCMALLOC_FIND_H
#define MEMSNAP_TCMALLOC_FIND_H

#include <stdint.h>

#include "analyze/core/core.h"
#include "analyze/tcmalloc_tables.h"
#include "analyze/warnings.h"

/*
 * Fills in the fields of r that are 0 and checks those that are not,
 * reading the writable memory of [lo, hi) (the library's module).  0 when
 * the page heap, size map and central caches are all known; -ENOENT, with
 * a warning (stage "heap") naming what is missing, when one is not;
 * -ENOMEM.
 */
int tcmalloc_find(const struct core *c, uint64_t lo, uint64_t hi, struct tcmalloc_roots *r, struct warnings *w);

/* Whether a page heap, or nclasses central caches, look right at addr (what tcmalloc_find checks). */
bool tcmalloc_find_pageheap_fits(const struct core *c, uint64_t addr);
bool tcmalloc_find_central_fits(const struct core *c, uint64_t addr, uint32_t nclasses);

#endif
