/*
 * glibc's struct malloc_par (mp_), decoded from its bytes with a layout:
 * the tunables and mmap counters that the database's malloc_par row holds.
 */
#include <string.h>

#include "glibc_par.h"

void glibc_par_decode(const struct glibc_layout *l, const uint8_t *buf, uint64_t addr, struct malloc_par_info *m)
{
        *m = (struct malloc_par_info){ .found = true, .address = addr };
        memcpy(m->layout, l->name, sizeof(m->layout));
        m->trim_threshold = glibc_layout_u64(buf, l->mp_trim_threshold);
        m->top_pad = glibc_layout_u64(buf, l->mp_top_pad);
        m->mmap_threshold = glibc_layout_u64(buf, l->mp_mmap_threshold);
        m->arena_test = glibc_layout_u64(buf, l->mp_arena_test);
        m->arena_max = glibc_layout_u64(buf, l->mp_arena_max);
        m->thp_pagesize = l->mp_thp_pagesize >= 0 ? (int64_t)glibc_layout_u64(buf, l->mp_thp_pagesize) : -1;
        m->hp_pagesize = l->mp_hp_pagesize >= 0 ? (int64_t)glibc_layout_u64(buf, l->mp_hp_pagesize) : -1;
        m->n_mmaps = (int32_t)glibc_layout_u32(buf, l->mp_n_mmaps);
        m->n_mmaps_max = (int32_t)glibc_layout_u32(buf, l->mp_n_mmaps_max);
        m->max_n_mmaps = (int32_t)glibc_layout_u32(buf, l->mp_max_n_mmaps);
        m->no_dyn_threshold = (int32_t)glibc_layout_u32(buf, l->mp_no_dyn_threshold);
        m->mmapped_mem = glibc_layout_u64(buf, l->mp_mmapped_mem);
        m->max_mmapped_mem = glibc_layout_u64(buf, l->mp_max_mmapped_mem);
        m->sbrk_base = glibc_layout_u64(buf, l->mp_sbrk_base);
        m->tcache_bins = glibc_layout_u64(buf, l->mp_tcache_bins);
        m->tcache_max_bytes = glibc_layout_u64(buf, l->mp_tcache_max_bytes);
        m->tcache_count = glibc_layout_u64(buf, l->mp_tcache_count);
        m->tcache_unsorted_limit = glibc_layout_u64(buf, l->mp_tcache_unsorted_limit);
}
