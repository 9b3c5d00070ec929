/*
 * Word reads from the core for the heap walker's hot loops.  A chunk walk
 * reads one size field per chunk, millions of times, almost always inside
 * the same PT_LOAD as the last read: the cursor keeps that segment's bounds
 * and its bytes in the mapped file, so a read is a compare and a load.
 * Reads that leave the segment look the next one up (core_segment_at);
 * bytes the core does not hold read as failures, never as zeros.
 */
#ifndef MEMSNAP_GLIBC_MEM_H
#define MEMSNAP_GLIBC_MEM_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core.h"

struct gmem {
        const struct core *core;
        uint64_t lo, hi;            /* [lo, hi): bytes of the cached segment present in the core */
        const uint8_t *base;        /* the byte at address lo */
};

static inline void gmem_init(struct gmem *m, const struct core *c)
{
        *m = (struct gmem){ .core = c };
}

static inline bool gmem_load(struct gmem *m, uint64_t addr)
{
        const struct core_segment *s = core_segment_at(m->core, addr);
        if (!s || addr - s->vaddr >= s->filesz)
                return false;
        m->lo = s->vaddr;
        m->hi = s->vaddr + s->filesz;
        m->base = m->core->data + s->offset;
        return true;
}

/* Reads the 8 bytes at addr; false when the core does not hold all of them. */
static inline bool gmem_u64(struct gmem *m, uint64_t addr, uint64_t *out)
{
        if (__builtin_expect(addr < m->lo || addr >= m->hi || m->hi - addr < 8, 0)) {
                if (!gmem_load(m, addr))
                        return false;
                if (m->hi - addr < 8) /* straddles two segments */
                        return core_read(m->core, addr, out, 8);
        }
        memcpy(out, m->base + (addr - m->lo), 8);
        return true;
}

/* A pointer to len bytes at addr inside one segment, or NULL. */
static inline const uint8_t *gmem_ptr(struct gmem *m, uint64_t addr, uint64_t len)
{
        if (addr < m->lo || addr >= m->hi || len > m->hi - addr) {
                if (!gmem_load(m, addr) || len > m->hi - addr)
                        return NULL;
        }
        return m->base + (addr - m->lo);
}

#endif
