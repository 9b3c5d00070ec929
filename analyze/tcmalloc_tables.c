/*
 * The tcmalloc walker's result (tcmalloc_tables.h): its state names, and
 * freeing it.
 */
#include <stdlib.h>

#include "tcmalloc_tables.h"

const char *tcmalloc_state_name(enum tcmalloc_state s)
{
        static const char *const names[TCMALLOC_STATES] = {
                [TCMALLOC_USED] = "used",
                [TCMALLOC_CENTRAL] = "central",
                [TCMALLOC_TRANSFER] = "transfer",
                [TCMALLOC_THREAD] = "thread",
                [TCMALLOC_PAGEHEAP] = "pageheap",
                [TCMALLOC_RETURNED] = "returned",
        };
        return (unsigned)s < TCMALLOC_STATES ? names[s] : "unknown";
}

void tcmalloc_heap_free(struct tcmalloc_heap *h)
{
        free(h->blocks);
        free(h->spans);
        free(h->caches);
        *h = (struct tcmalloc_heap){ .module_id = -1 };
}
