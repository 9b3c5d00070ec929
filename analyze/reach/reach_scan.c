/*
 * The scan: every aligned 8-byte word of the roots and of every used
 * block's user bytes, looked up in the chunk index; a word that points into
 * a used block's user area [mem, mem + usable) becomes a ref (a start
 * pointer when it equals mem, else an interior one).
 *
 * This is the hot loop of the stage: the words are read in place from the
 * mapped core, rejected by one compare when they cannot be heap pointers,
 * and refs go into one growing array; nothing else is allocated and no SQL
 * runs here (db_write.c writes the refs afterwards).  Holes of a sparse
 * core are zeros and are never read.  Memory the core does not hold
 * (p_filesz 0, truncated cores) is not guessed at: it is counted, and
 * reach.c reports it.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "reach.h"

void reach_scan_free(struct scan *s)
{
        free(s->refs);
        s->refs = NULL;
        s->nrefs = s->cap = 0;
}

/* Room for one more ref: 1, or 0 when max_refs is reached (refs_capped), or -ENOMEM. */
static int grow(struct scan *s)
{
        if (s->nrefs >= s->max_refs) {
                s->refs_capped = true;
                return 0;
        }
        return ARRAY_RESERVE(s->refs, s->cap, MAX(s->nrefs + 1, (size_t)4096)) < 0 ? -ENOMEM : 1;
}

static uint32_t offset32(uint64_t v)
{
        return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* Appends the ref for a word that hit used chunk u. */
static int add_ref(struct scan *s, const struct scan_pending *pw, long u)
{
        if (s->nrefs == s->cap) {
                int r = grow(s);
                if (r <= 0)
                        return r;
        }
        const struct reach_area *ar = &s->ix->area[u];
        const struct ref *proto = &s->protos[pw->proto];
        struct ref *x = &s->refs[s->nrefs++];
        *x = *proto;
        x->from = pw->from;
        x->to_chunk = (int32_t)ar->chunk;
        x->to_offset = offset32(pw->word - ar->mem);
        return 0;
}

/*
 * Three passes over the batch: find each word's slot and prefetch it, read
 * the slot and prefetch the first candidate chunk, then finish the lookups.
 * Each pass's misses are in flight together, where one lookup at a time
 * would wait for two or three misses in a row.  Refs come out in the order
 * the words were found.
 */
int reach_scan_flush(struct scan *s)
{
        const struct reach_index *ix = s->ix;
        int r = 0;

        for (size_t i = 0; i < s->npending; i++) {
                s->pending[i].slot = reach_index_slot(ix, s->pending[i].word);
                if (s->pending[i].slot)
                        __builtin_prefetch(s->pending[i].slot);
        }
        for (size_t i = 0; i < s->npending; i++)
                if (s->pending[i].slot && s->pending[i].slot[0] < ix->n)
                        __builtin_prefetch(&ix->area[s->pending[i].slot[0]]);
        for (size_t i = 0; i < s->npending && r == 0; i++) {
                const struct scan_pending *pw = &s->pending[i];
                long u = pw->slot ? reach_index_resolve(ix, pw->slot, pw->word) : -1;
                if (u >= 0)
                        r = add_ref(s, pw, u);
        }
        s->npending = 0;
        s->nprotos = 0;
        return r;
}

/*
 * Scans len bytes at p, which hold the target's memory at addr.  Each word
 * that may be a heap pointer waits in the batch; its ref will be like proto.
 */
static int scan_words(struct scan *s, const uint8_t *p, uint64_t addr, uint64_t len, const struct ref *proto)
{
        const uint64_t lo = s->ix->lo, width = s->ix->hi - s->ix->lo;
        bool have_proto = false;

        for (uint64_t off = 0; off + 8 <= len; off += 8) {
                uint64_t w;
                memcpy(&w, p + off, sizeof(w));
                if (__builtin_expect(w - lo >= width, 1))
                        continue;
                if (s->npending == SCAN_BATCH) {
                        int r = reach_scan_flush(s);
                        if (r < 0)
                                return r;
                        have_proto = false;
                }
                if (!have_proto) {
                        s->protos[s->nprotos++] = *proto;
                        have_proto = true;
                }
                s->pending[s->npending++] = (struct scan_pending){
                        .word = w, .from = addr + off,
                        .proto = (uint32_t)(s->nprotos - 1),
                };
        }
        return 0;
}

/*
 * Scans [start, end) through the core, span by span: data is scanned,
 * holes and zero tails hold no pointer.  Returns the bytes the core lacks
 * (they are not scanned), or -errno.
 */
static int64_t scan_through_core(struct scan *s, uint64_t start, uint64_t end, const struct ref *proto)
{
        uint64_t addr = start, missing = 0;

        while (addr < end) {
                struct core_span sp;
                core_span_at(s->core, addr, &sp);
                uint64_t to = MIN(end, sp.end);
                if (sp.kind == CORE_SPAN_DATA) {
                        int r = scan_words(s, sp.bytes + (addr - sp.start), addr, to - addr, proto);
                        if (r < 0)
                                return r;
                } else if (sp.kind == CORE_SPAN_ABSENT) {
                        missing += to - addr;
                }
                addr = to;
        }
        return (int64_t)missing;
}

int reach_scan_registers(struct scan *s, const struct thread *threads, size_t n)
{
        for (size_t t = 0; t < n; t++) {
                if (!threads[t].core)
                        continue;
                const struct ref proto = { .from_chunk = NO_ID, .root_kind = ROOT_REGISTER, .tid = threads[t].tid };
                const struct user_regs_struct *regs = &threads[t].core->regs;
                /* A register's ref keeps its offset in user_regs_struct (NT_PRSTATUS pr_reg) as where it is. */
                int r = scan_words(s, (const uint8_t *)regs, 0, sizeof(*regs), &proto);
                if (r < 0)
                        return r;
        }
        return 0;
}

int reach_scan_root(struct scan *s, const struct root_range *rr)
{
        const struct segment *seg = &s->segments[rr->segment];
        const struct ref proto = {
                .from_chunk = NO_ID, .root_kind = rr->kind,
                .tid = rr->kind == ROOT_STACK || rr->kind == ROOT_TLS ? rr->tid : 0,
        };
        int64_t missing = scan_through_core(s, rr->start, rr->end, &proto);
        if (missing < 0)
                return (int)missing;
        if (missing > 0 && !seg->tail_zero) {
                s->unknown.bytes[seg->kind] += (uint64_t)missing;
                s->unknown.segments[seg->kind]++;
        }
        return 0;
}

int reach_scan_block(struct scan *s, size_t u, const uint8_t **bytes)
{
        uint64_t mem = s->ix->area[u].mem, len = s->ix->area[u].end - mem;
        const struct ref proto = { .from_chunk = (int32_t)s->ix->area[u].chunk, .root_kind = ROOT_NONE };

        const uint8_t *p = core_ptr_near(s->core, &s->cur, mem, (size_t)len);
        *bytes = p;
        if (p)
                return scan_words(s, p, mem, len, &proto);

        int64_t missing = scan_through_core(s, mem, mem + len, &proto);
        if (missing < 0)
                return (int)missing;
        if (missing == 0 && core_read(s->core, mem, s->head, (size_t)MIN(len, (uint64_t)sizeof(s->head))))
                *bytes = s->head;
        int32_t seg_id = s->chunks[s->ix->area[u].chunk].segment_id;
        if (missing > 0 && !(seg_id >= 0 && s->segments[seg_id].tail_zero)) {
                s->unknown.block_bytes += (uint64_t)missing;
                s->unknown.blocks++;
        }
        return 0;
}
