/*
 * The arenas and their thread caches.  Each arena_t of the arenas array
 * is a row; with stats built in (Debian's), each keeps the tcache_slow_t
 * of every thread cache tied to it on a ring (arena_t.tcache_ql,
 * tcache_arena_associate), and each tcache_t's bins (cache_bin_t) hold a
 * stack of the regions and large blocks the thread freed and may hand out
 * again: stack_head up to the bin's low_bits_empty (cache_bin.h
 * cache_bin_ncached_get_internal).  They are free, as glibc's tcache
 * chunks are; jemalloc's figures count them as allocated.  A ring that
 * does not come back to its head, or a bin that claims more than a bin
 * can hold, ends in a warning naming the address.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/log.h"
#include "jemalloc.h"

#define TCACHES_PER_ARENA_MAX 16384  /* threads tied to one arena, past any real process */

static int cached_cmp(const void *x, const void *y)
{
        const struct je_cached *a = x, *b = y;
        return a->address < b->address ? -1 : a->address > b->address;
}

/* The thread whose static TLS (below its fs_base, x86-64 TLS variant II) holds addr: the nearest fs_base above it. */
static int tls_owner(const struct analysis *a, uint64_t addr)
{
        int tid = 0;
        uint64_t best = UINT64_MAX;
        for (size_t i = 0; i < a->threads.n; i++) {
                uint64_t fs = a->threads.v[i].fs_base;
                if (fs > addr && fs - addr < best && fs - addr < (1u << 20)) {
                        best = fs - addr;
                        tid = a->threads.v[i].tid;
                }
        }
        return tid;
}

static int read_arenas(struct je_ctx *x)
{
        const struct core *c = &x->a->core;
        struct jemalloc_heap *out = x->out;
        size_t cap = 0;
        for (unsigned i = 0; i <= JE_MALLOCX_ARENA_LIMIT; i++) {
                uint64_t p, base;
                uint32_t nthreads = 0;
                if (!core_read_u64(c, out->arenas_at + 8ull * i, &p) || !p)
                        continue;
                if (!core_read_u64(c, p + JE_ARENA_BASE, &base))
                        base = 0;
                core_read(c, p + JE_ARENA_NTHREADS, &nthreads, sizeof(nthreads));
                struct jemalloc_arena row = { .ind = i, .address = p, .base = base, .nthreads = nthreads,
                                              .base_allocated = -1, .base_resident = -1, .base_mapped = -1 };
                uint64_t v;
                if (base && core_read_u64(c, base + JE_BASE_ALLOCATED, &v))
                        row.base_allocated = (int64_t)v;
                if (base && core_read_u64(c, base + JE_BASE_RESIDENT, &v))
                        row.base_resident = (int64_t)v;
                if (base && core_read_u64(c, base + JE_BASE_MAPPED, &v))
                        row.base_mapped = (int64_t)v;
                if (ARRAY_RESERVE(out->arenas, cap, out->narenas + 1) < 0)
                        return -ENOMEM;
                out->arenas[out->narenas++] = row;
        }
        return 0;
}

/* The regions one tcache_t (row number t) holds, appended to x->cached; its row's entries. */
static int read_tcache(struct je_ctx *x, uint64_t tcache, uint32_t t, struct jemalloc_tcache *row, size_t *cap)
{
        const struct core *c = &x->a->core;
        uint64_t stack[256];
        for (unsigned b = 0; b < JE_TCACHE_NBINS_MAX; b++) {
                uint64_t bin = tcache + JE_TCACHE_BINS + (uint64_t)b * JE_CACHE_BIN_SIZE, head;
                uint16_t empty;
                if (!core_read_u64(c, bin + JE_CACHE_BIN_STACK_HEAD, &head) ||
                    !core_read(c, bin + JE_CACHE_BIN_LOW_BITS_EMPTY, &empty, sizeof(empty))) {
                        warnings_add(x->w, "heap", bin, "jemalloc: the core does not hold thread cache 0x%llx's bin %u",
                                     (unsigned long long)tcache, b);
                        return 0;
                }
                unsigned ncached = (uint16_t)(empty - (uint16_t)head) / 8;
                if (!head || !ncached)
                        continue;
                if (ncached > JE_CACHE_BIN_NCACHED_MAX) {
                        warnings_add(x->w, "heap", bin, "jemalloc: thread cache 0x%llx's bin %u claims %u entries: not read",
                                     (unsigned long long)tcache, b, ncached);
                        continue;
                }
                if (ARRAY_RESERVE(x->cached, *cap, x->ncached + ncached) < 0)
                        return -ENOMEM;
                for (unsigned k = 0; k < ncached; k += 256) {
                        unsigned m = ncached - k < 256 ? ncached - k : 256;
                        if (!core_read(c, head + 8ull * k, stack, (size_t)m * 8)) {
                                warnings_add(x->w, "heap", head, "jemalloc: the core does not hold the stack of thread cache 0x%llx's bin %u at 0x%llx",
                                             (unsigned long long)tcache, b, (unsigned long long)head);
                                break;
                        }
                        for (unsigned j = 0; j < m; j++)
                                x->cached[x->ncached++] = (struct je_cached){ stack[j], t };
                        row->entries += m;
                }
        }
        return 0;
}

int jemalloc_tcache_collect(struct je_ctx *x)
{
        const struct core *c = &x->a->core;
        struct jemalloc_heap *out = x->out;
        size_t cap = 0, tcap = 0;
        int r;

        if ((r = read_arenas(x)) < 0)
                return log_error_errno(r, "cannot analyze the heap of '%s': %m", x->a->opt.core_path);
        for (size_t i = 0; i < out->narenas; i++) {
                const struct jemalloc_arena *ar = &out->arenas[i];
                uint64_t first, ts;
                if (!core_read_u64(c, ar->address + JE_ARENA_TCACHE_QL, &first) || !first)
                        continue;
                ts = first;
                size_t k = 0, from = out->ntcaches;
                do {
                        uint64_t tcache;
                        if (k++ == TCACHES_PER_ARENA_MAX) {
                                warnings_add(x->w, "heap", ar->address + JE_ARENA_TCACHE_QL,
                                             "jemalloc: arena %u's list of thread caches does not come back to its head 0x%llx in %u entries; the rest are not read",
                                             ar->ind, (unsigned long long)first, TCACHES_PER_ARENA_MAX);
                                break;
                        }
                        if (!core_read_u64(c, ts + JE_TCACHE_SLOW_TCACHE, &tcache) || !tcache) {
                                warnings_add(x->w, "heap", ts, "jemalloc: arena %u's thread cache entry 0x%llx cannot be read; the rest are not read",
                                             ar->ind, (unsigned long long)ts);
                                break;
                        }
                        /* A ring that meets one of its entries again, but not its head, is a cycle. */
                        bool seen = false;
                        for (size_t m = from; m < out->ntcaches && !seen; m++)
                                seen = out->tcaches[m].address == tcache;
                        if (seen) {
                                warnings_add(x->w, "heap", ts, "jemalloc: arena %u's list of thread caches comes back to 0x%llx, not to its head 0x%llx: a cycle; the rest are not read",
                                             ar->ind, (unsigned long long)ts, (unsigned long long)first);
                                break;
                        }
                        struct jemalloc_tcache row = { .tid = tls_owner(x->a, tcache), .address = tcache, .arena = ar->ind };
                        if ((r = read_tcache(x, tcache, (uint32_t)out->ntcaches, &row, &cap)) < 0 ||
                            ARRAY_RESERVE(out->tcaches, tcap, out->ntcaches + 1) < 0)
                                return log_error_errno(ENOMEM, "cannot analyze the heap of '%s': %m", x->a->opt.core_path);
                        out->tcaches[out->ntcaches++] = row;
                        if (!core_read_u64(c, ts + JE_TCACHE_SLOW_NEXT, &ts)) {
                                warnings_add(x->w, "heap", ts, "jemalloc: arena %u's thread cache entry 0x%llx has no readable link; the rest are not read",
                                             ar->ind, (unsigned long long)ts);
                                break;
                        }
                } while (ts != first);
        }
        qsort_safe(x->cached, x->ncached, sizeof(*x->cached), cached_cmp);
        return 0;
}
