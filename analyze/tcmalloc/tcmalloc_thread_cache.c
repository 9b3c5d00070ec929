/*
 * Walking the thread caches (tcmalloc_thread_cache.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "tcmalloc_freelist.h"
#include "tcmalloc_thread_cache.h"

struct listed {
        uint64_t address;
        size_t index;           /* its place in the list */
};

static int by_address(const void *a, const void *b)
{
        const struct listed *x = a, *y = b;
        if (x->address != y->address)
                return x->address < y->address ? -1 : 1;
        return x->index < y->index ? -1 : x->index > y->index;
}

/*
 * How many of the n caches listed come before the first that is listed
 * again (n when none is): a list that loops is cut where it comes back.
 */
static size_t first_repeat(const uint64_t *order, size_t n)
{
        _cleanup_free_ struct listed *v = calloc(n ? n : 1, sizeof(*v));
        if (!v)
                return 0;
        for (size_t i = 0; i < n; i++)
                v[i] = (struct listed){ .address = order[i], .index = i };
        qsort_safe(v, n, sizeof(*v), by_address);
        size_t cut = n;
        for (size_t i = 1; i < n; i++)
                if (v[i].address == v[i - 1].address && v[i].index < cut)
                        cut = v[i].index;
        return cut;
}

static void walk_cache(const struct core *c, struct tcmalloc_heap *h, const struct tcmalloc_blocks *b, const uint8_t *raw,
                       struct tcmalloc_thread_cache *tc, struct warnings *w)
{
        for (uint32_t cl = 1; cl < h->nclasses; cl++) {
                const uint8_t *fl = raw + (size_t)cl * TCMALLOC_FREELIST_BYTES;
                uint64_t head;
                uint32_t length;
                memcpy(&head, fl, sizeof(head));
                memcpy(&length, fl + TCMALLOC_FREELIST_LENGTH, sizeof(length));
                uint64_t owner = tc->address + (uint64_t)cl * TCMALLOC_FREELIST_BYTES;
                struct tcmalloc_freelist l = {
                        .head = head, .cl = cl, .state = TCMALLOC_THREAD, .max = length,
                        .owner = owner, .what = "tcmalloc thread cache list",
                };
                uint64_t last;
                bool ended;
                uint64_t n = tcmalloc_freelist_walk(c, h, b, &l, &last, &ended, w);
                if (ended && n != length)
                        warnings_add(w, "heap", owner, "tcmalloc thread cache list of size class %u holds %llu objects, its length says %u",
                                     cl, (unsigned long long)n, length);
                tc->objects += n;
                tc->bytes += n * h->classes[cl].size;
        }
}

/*
 * The caches' addresses in list order, until NULL, TCMALLOC_THREAD_CACHES_MAX,
 * or the first one listed twice; each warned about.  -ENOMEM.
 */
static int list_caches(const struct core *c, uint64_t thread_heaps, uint64_t **out, size_t *n, struct warnings *w)
{
        uint64_t *v = NULL;
        size_t cap = 0, count = 0;
        uint64_t addr;
        if (!core_read_u64(c, thread_heaps, &addr)) {
                warnings_add(w, "heap", thread_heaps, "tcmalloc ThreadCache::thread_heaps_ is not in the core: thread caches are not read");
                addr = 0;
        }
        while (addr != 0 && count < TCMALLOC_THREAD_CACHES_MAX) {
                if (ARRAY_RESERVE(v, cap, count + 1) < 0) {
                        free(v);
                        return -ENOMEM;
                }
                v[count++] = addr;
                if (!core_read_u64(c, addr + TCMALLOC_THREAD_NEXT, &addr)) {
                        warnings_add(w, "heap", v[count - 1], "tcmalloc thread cache is not in the core: the caches after it are not read");
                        addr = 0;
                }
        }
        if (addr != 0)
                warnings_add(w, "heap", thread_heaps, "tcmalloc thread cache list passes %u caches: the rest are not read",
                             TCMALLOC_THREAD_CACHES_MAX);
        size_t cut = first_repeat(v, count);
        if (cut < count)
                warnings_add(w, "heap", cut ? v[cut - 1] : thread_heaps, "tcmalloc thread cache list loops back to %#llx",
                             (unsigned long long)v[cut]);
        *out = v;
        *n = cut;
        return 0;
}

void tcmalloc_thread_cache_walk(const struct core *c, uint64_t thread_heaps, struct tcmalloc_heap *h,
                                const struct tcmalloc_blocks *b, struct warnings *w)
{
        _cleanup_free_ uint64_t *order = NULL;
        size_t n = 0;
        _cleanup_free_ uint8_t *raw = malloc(TCMALLOC_THREAD_BYTES);
        if (!raw || list_caches(c, thread_heaps, &order, &n, w) < 0 ||
            ARRAY_RESERVE(h->caches, h->caches_cap, h->ncaches + n) < 0) {
                warnings_add(w, "heap", thread_heaps, "no memory to walk the tcmalloc thread caches");
                return;
        }
        for (size_t i = 0; i < n; i++) {
                if (!core_read(c, order[i], raw, TCMALLOC_THREAD_BYTES)) {
                        warnings_add(w, "heap", order[i], "tcmalloc thread cache is not in the core");
                        continue;
                }
                struct tcmalloc_thread_cache *tc = &h->caches[h->ncaches++];
                int32_t size;
                memcpy(&size, raw + TCMALLOC_THREAD_SIZE, sizeof(size));
                *tc = (struct tcmalloc_thread_cache){ .address = order[i], .size = (uint64_t)(int64_t)size };
                memcpy(&tc->pthread, raw + TCMALLOC_THREAD_TID, sizeof(tc->pthread));
                walk_cache(c, h, b, raw, tc, w);
                if (tc->bytes != tc->size)
                        warnings_add(w, "heap", tc->address, "tcmalloc thread cache holds %llu bytes of objects, its size_ says %lld",
                                     (unsigned long long)tc->bytes, (long long)size);
        }
}
