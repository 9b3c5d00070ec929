/* Implementation of heap_reset.h. */
#include "heap_reset.h"

#include <stdlib.h>

#include "analyze/warnings.h"

void heap_reset(struct analysis *a)
{
        free(a->arenas);
        free(a->heaps);
        free(a->chunks);
        free(a->tcaches);
        a->arenas = NULL, a->heaps = NULL, a->chunks = NULL, a->tcaches = NULL;
        a->narenas = a->nheaps = a->nchunks = a->ntcaches = 0;
        a->malloc_par = (struct malloc_par_info){ 0 };
        warnings_free(&a->warnings);
}
