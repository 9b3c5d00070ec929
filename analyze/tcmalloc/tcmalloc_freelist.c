/*
 * Walking a list of free objects (tcmalloc_freelist.h).
 */
#include "tcmalloc_freelist.h"

uint64_t tcmalloc_freelist_walk(const struct core *c, struct tcmalloc_heap *h, const struct tcmalloc_blocks *b,
                                const struct tcmalloc_freelist *l, uint64_t *last, bool *ended, struct warnings *w)
{
        uint64_t n = 0;
        *last = 0;
        *ended = false;
        for (uint64_t obj = l->head; obj != 0; n++) {
                /* past its length, a list that comes back to an object is a loop, anything else too long */
                if (n >= l->max && tcmalloc_blocks_check(h, b, obj, l->cl) == TCMALLOC_MARKED) {
                        warnings_add(w, "heap", obj, "%s at %#llx (size class %u) goes on past its %llu objects, here",
                                     l->what, (unsigned long long)l->owner, l->cl, (unsigned long long)l->max);
                        return n;
                }
                enum tcmalloc_mark m = tcmalloc_blocks_mark(h, b, obj, l->cl, l->state);
                if (m != TCMALLOC_MARKED) {
                        warnings_add(w, "heap", obj, "object of %s at %#llx (size class %u) %s", l->what,
                                     (unsigned long long)l->owner, l->cl, tcmalloc_blocks_mark_reason(m));
                        return n;
                }
                *last = obj;
                if (!core_read_u64(c, obj, &obj)) {
                        warnings_add(w, "heap", *last, "free object of %s at %#llx is not in the core", l->what,
                                     (unsigned long long)l->owner);
                        return n + 1;
                }
        }
        *ended = true;
        return n;
}
