/*
 * gperftools' size classes as the process computed them (SizeMap::Init,
 * which TCMALLOC_TRANSFER_NUM_OBJ and the page size change): read from
 * Static::sizemap_ rather than computed again, and checked, since a wrong
 * class size would misplace every object of its spans.
 */
#ifndef MEMSNAP_TCMALLOC_SIZEMAP_H
#define MEMSNAP_TCMALLOC_SIZEMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze/core/core.h"
#include "analyze/tcmalloc_tables.h"
#include "tcmalloc_layout.h"

/*
 * Reads the SizeMap at addr into classes[0 .. *nclasses) (size, pages,
 * batch; the counts are zeroed).  False when the core does not hold it or
 * it is not one: num_size_classes past 2..kClassSizesMax, class 0 not
 * empty, sizes not rising by multiples of 8 to kMaxSize, a class's span
 * not 1..kMaxPages pages or too small for one object, a batch of 0.
 */
bool tcmalloc_sizemap_read(const struct core *c, uint64_t addr, struct tcmalloc_class *classes, uint32_t *nclasses);

#endif
