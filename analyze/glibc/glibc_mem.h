/*
 * Word reads from the core for the heap walker's hot loops.  A chunk walk
 * reads one size field per chunk, millions of times, almost always inside
 * the same data run as the last read: the cursor keeps that span's bounds
 * and its bytes in the mapped file, so a read is a compare and a load.
 * Reads that leave the span look the next one up (core_span_at).  A hole
 * of a sparse core, or a tail the core vouches is zero, reads as zeros
 * without touching the file; bytes the core does not hold read as
 * failures, never as zeros.
 */
#ifndef MEMSNAP_GLIBC_MEM_H
#define MEMSNAP_GLIBC_MEM_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "analyze/core/core.h"

struct glibc_mem {
        const struct core *core;
        uint64_t lo, hi;            /* [lo, hi): the cached span, data or zeros */
        const uint8_t *base;        /* the byte at address lo; NULL when the span is zeros */
};

static inline void glibc_mem_init(struct glibc_mem *m, const struct core *c)
{
        *m = (struct glibc_mem){ .core = c };
}

static inline bool glibc_mem_load(struct glibc_mem *m, uint64_t addr)
{
        struct core_span sp;
        core_span_at(m->core, addr, &sp);
        if (sp.kind == CORE_SPAN_ABSENT)
                return false;
        m->lo = sp.start;
        m->hi = sp.end;
        m->base = sp.bytes;
        return true;
}

/* Reads the 8 bytes at addr; false when the core does not hold all of them. */
static inline bool glibc_mem_u64(struct glibc_mem *m, uint64_t addr, uint64_t *out)
{
        if (__builtin_expect(addr < m->lo || addr >= m->hi || m->hi - addr < 8, 0)) {
                if (!glibc_mem_load(m, addr))
                        return false;
                if (m->hi - addr < 8) /* straddles two spans */
                        return core_read(m->core, addr, out, 8);
        }
        if (m->base)
                memcpy(out, m->base + (addr - m->lo), 8);
        else
                *out = 0;
        return true;
}

/* A pointer to len bytes at addr inside one span (zeros when in a hole, for len up to CORE_ZEROS_MAX), or NULL. */
static inline const uint8_t *glibc_mem_ptr(struct glibc_mem *m, uint64_t addr, uint64_t len)
{
        if (addr < m->lo || addr >= m->hi || len > m->hi - addr) {
                if (!glibc_mem_load(m, addr) || len > m->hi - addr)
                        return NULL;
        }
        if (!m->base)
                return len <= CORE_ZEROS_MAX ? core_zeros() : NULL;
        return m->base + (addr - m->lo);
}

/*
 * The first address at or above addr, below end, whose bytes the file
 * holds as data (not a hole, not a zero tail), or end when there is none:
 * where a search for nonzero bytes can go on.
 */
static inline uint64_t glibc_mem_data_from(struct glibc_mem *m, uint64_t addr, uint64_t end)
{
        while (addr < end) {
                if (addr < m->lo || addr >= m->hi) {
                        struct core_span sp;
                        core_span_at(m->core, addr, &sp);
                        if (sp.kind != CORE_SPAN_DATA) {
                                addr = sp.end;
                                continue;
                        }
                        m->lo = sp.start, m->hi = sp.end, m->base = sp.bytes;
                }
                if (m->base)
                        return addr;
                addr = m->hi;
        }
        return end;
}

#endif
