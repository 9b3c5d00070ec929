/*
 * Reading a Span (tcmalloc_span.h).
 */
#include <string.h>

#include "tcmalloc_span.h"

/* common.h: kAddressBits on x86-64; no page of a span lies above it */
#define ADDRESS_BITS 48

static uint64_t load_u64(const uint8_t *p)
{
        uint64_t v;
        memcpy(&v, p, sizeof(v));
        return v;
}

void tcmalloc_span_decode(const uint8_t *raw, uint64_t addr, struct tcmalloc_span_read *out)
{
        uint32_t bits;
        memcpy(&bits, raw + TCMALLOC_SPAN_BITS, sizeof(bits));
        uint64_t start_page = load_u64(raw + TCMALLOC_SPAN_START);
        *out = (struct tcmalloc_span_read){
                .span = {
                        .address = addr,
                        .start = start_page << TCMALLOC_PAGE_SHIFT,
                        .pages = load_u64(raw + TCMALLOC_SPAN_LENGTH),
                        .objects = load_u64(raw + TCMALLOC_SPAN_OBJECTS),
                        /* span.h: refcount : 16, sizeclass : 8, location : 2, from bit 0 up */
                        .refcount = bits & 0xffff,
                        .sizeclass = (bits >> 16) & 0xff,
                        .location = (bits >> 24) & 3,
                },
                .next = load_u64(raw + TCMALLOC_SPAN_NEXT),
                .prev = load_u64(raw + TCMALLOC_SPAN_PREV),
        };
        /* the page number itself, so that a start past the address space shows */
        if (start_page >> (ADDRESS_BITS - TCMALLOC_PAGE_SHIFT))
                out->span.start = UINT64_MAX;
}

bool tcmalloc_span_read(const struct core *c, uint64_t addr, uint32_t nclasses, struct tcmalloc_span_read *out)
{
        uint8_t raw[TCMALLOC_SPAN_BYTES];
        if (!core_read(c, addr, raw, sizeof(raw)))
                return false;
        tcmalloc_span_decode(raw, addr, out);
        const struct tcmalloc_span *s = &out->span;
        const uint64_t space_pages = 1ull << (ADDRESS_BITS - TCMALLOC_PAGE_SHIFT);
        if (s->start == UINT64_MAX || s->pages == 0 || s->pages > space_pages ||
            (s->start >> TCMALLOC_PAGE_SHIFT) + s->pages > space_pages)
                return false;
        if (s->location > TCMALLOC_ON_RETURNED_FREELIST || s->sizeclass >= nclasses)
                return false;
        return s->sizeclass == 0 || s->location == TCMALLOC_IN_USE;
}
