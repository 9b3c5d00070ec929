/* glibc_par.c: glibc's struct malloc_par (mp_), decoded. */
#ifndef MEMSNAP_GLIBC_PAR_H
#define MEMSNAP_GLIBC_PAR_H

#include <stdint.h>

#include "analyze/analysis.h"
#include "glibc_layout.h"

/* The malloc_par at addr, whose bytes (l->mp_size of them) are buf. */
void glibc_par_decode(const struct glibc_layout *l, const uint8_t *buf, uint64_t addr, struct malloc_par_info *out);

#endif
