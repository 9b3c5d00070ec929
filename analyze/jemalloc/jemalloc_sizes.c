/*
 * jemalloc's size classes: what class szind holds, as sz_index2size() says,
 * from the rule sc.c size_classes() builds them by on 64-bit with
 * LG_QUANTUM 4 and SC_LG_NGROUP 2: one tiny class (8), the pseudo-group
 * 16, 32, 48, 64, then groups of four between powers of two,
 * 2^g + n * 2^(g-2) for n = 1..4 and g = 6, 7, ... (the last group has
 * three).  Debian's library hides sz_index2size_tab; the rule needs no
 * symbol.
 */
#include "jemalloc.h"

uint64_t jemalloc_size_of(unsigned szind)
{
        if (szind >= JE_SC_NSIZES)
                return 0;
        if (szind == 0)
                return 8;
        if (szind <= 4)
                return 16ull * szind;
        unsigned i = szind - 5, lg_base = 6 + i / 4, n = i % 4 + 1;
        return (1ull << lg_base) + ((uint64_t)n << (lg_base - 2));
}
