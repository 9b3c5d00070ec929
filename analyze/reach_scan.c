/*
 * The scan: every aligned 8-byte word of the roots and of every used
 * block's user bytes, looked up in the chunk index; a word that points into
 * a used block's user area [mem, mem + usable) becomes a ref (a start
 * pointer when it equals mem, else an interior one).
 *
 * This is the hot loop of the stage: the words are read in place from the
 * mapped core, rejected by one compare when they cannot be heap pointers,
 * and refs go into one growing array; nothing else is allocated and no SQL
 * runs here (db_write.c writes the refs afterwards).  Memory the core does
 * not hold (p_filesz 0, truncated cores) is not guessed at: it is counted,
 * and reach.c reports it.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "reach.h"

void scan_free(struct scan *s)
{
        free(s->refs);
        s->refs = NULL;
        s->nrefs = s->cap = 0;
}

static int grow(struct scan *s)
{
        if (s->nrefs >= s->max_refs) {
                s->refs_capped = true;
                return 0;
        }
        size_t ncap = s->cap ? s->cap * 2 : 4096;
        if (ncap > s->max_refs)
                ncap = s->max_refs;
        struct ref *v = realloc(s->refs, ncap * sizeof(*v));
        if (!v)
                return -ENOMEM;
        s->refs = v;
        s->cap = ncap;
        return 1;
}

static uint32_t offset32(uint64_t v)
{
        return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/*
 * Scans len bytes at p, which hold the target's memory at addr.  Each hit
 * becomes a ref like proto, with from_offset counted from base.
 */
static int scan_words(struct scan *s, const uint8_t *p, uint64_t addr, uint64_t len, uint64_t base,
                      const struct ref *proto)
{
        const struct reach_index *ix = s->ix;
        const uint64_t lo = ix->lo, width = ix->hi - ix->lo;

        for (uint64_t off = 0; off + 8 <= len; off += 8) {
                uint64_t w;
                memcpy(&w, p + off, sizeof(w));
                if (__builtin_expect(w - lo >= width, 1))
                        continue;
                long u = reach_index_lookup(ix, w);
                if (u < 0)
                        continue;
                if (s->nrefs == s->cap) {
                        int r = grow(s);
                        if (r <= 0)
                                return r;
                }
                struct ref *x = &s->refs[s->nrefs++];
                *x = *proto;
                x->from_address = addr + off;
                x->from_offset = offset32(addr + off - base);
                x->to_chunk = (int32_t)ix->chunk[u];
                x->to_offset = offset32(w - ix->mem[u]);
        }
        return 0;
}

/*
 * Scans [start, end) through the core's segments.  Returns the bytes the
 * core lacks (they are not scanned), or -errno.
 */
static int64_t scan_through_core(struct scan *s, uint64_t start, uint64_t end, uint64_t base, const struct ref *proto)
{
        uint64_t addr = start, missing = 0;

        while (addr < end) {
                const struct core_segment *cs = core_segment_at(s->core, addr);
                if (!cs) {
                        /* The next segment, if one starts before end, holds the rest. */
                        uint64_t next = end;
                        for (size_t i = 0; i < s->core->nsegs; i++)
                                if (s->core->segs[i].vaddr > addr) {
                                        next = MIN(end, s->core->segs[i].vaddr);
                                        break;
                                }
                        missing += next - addr;
                        addr = next;
                        continue;
                }
                uint64_t present_end = MIN(end, cs->vaddr + cs->filesz);
                uint64_t seg_end = MIN(end, cs->vaddr + cs->memsz);
                if (addr < present_end) {
                        const uint8_t *p = s->core->data + cs->offset + (addr - cs->vaddr);
                        int r = scan_words(s, p, addr, present_end - addr, base, proto);
                        if (r < 0)
                                return r;
                        addr = present_end;
                } else {
                        missing += seg_end - addr;
                        addr = seg_end;
                }
        }
        return (int64_t)missing;
}

int scan_registers(struct scan *s, const struct thread *threads, size_t n)
{
        for (size_t t = 0; t < n; t++) {
                if (!threads[t].core)
                        continue;
                const struct ref proto = { .from_chunk = NO_ID, .root_kind = ROOT_REGISTER, .tid = threads[t].tid };
                const struct user_regs_struct *regs = &threads[t].core->regs;
                size_t first = s->nrefs;
                int r = scan_words(s, (const uint8_t *)regs, 0, sizeof(*regs), 0, &proto);
                if (r < 0)
                        return r;
                /* from_offset is the register's offset in user_regs_struct (NT_PRSTATUS pr_reg); it has no address. */
                for (size_t k = first; k < s->nrefs; k++)
                        s->refs[k].from_address = 0;
        }
        return 0;
}

int scan_root(struct scan *s, const struct root_range *rr)
{
        const struct segment *seg = &s->segments[rr->segment];
        const struct ref proto = {
                .from_chunk = NO_ID, .root_kind = rr->kind,
                .tid = rr->kind == ROOT_STACK || rr->kind == ROOT_TLS ? rr->tid : 0,
        };
        int64_t missing = scan_through_core(s, rr->start, rr->end, seg->start, &proto);
        if (missing < 0)
                return (int)missing;
        if (missing > 0) {
                s->unknown.bytes[seg->kind] += (uint64_t)missing;
                s->unknown.segments[seg->kind]++;
        }
        return 0;
}

int scan_block(struct scan *s, size_t u, const uint8_t **bytes)
{
        uint64_t mem = s->ix->mem[u], len = s->ix->end[u] - mem;
        const struct ref proto = { .from_chunk = (int32_t)s->ix->chunk[u], .root_kind = ROOT_NONE };

        const uint8_t *p = len <= SIZE_MAX ? core_ptr(s->core, mem, (size_t)len) : NULL;
        *bytes = p;
        if (p)
                return scan_words(s, p, mem, len, mem, &proto);

        int64_t missing = scan_through_core(s, mem, mem + len, mem, &proto);
        if (missing < 0)
                return (int)missing;
        if (missing > 0) {
                s->unknown.block_bytes += (uint64_t)missing;
                s->unknown.blocks++;
        }
        return 0;
}
