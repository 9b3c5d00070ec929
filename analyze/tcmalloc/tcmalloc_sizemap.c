/*
 * Reading and checking Static::sizemap_ (tcmalloc_sizemap.h).
 */
#include <string.h>

#include "tcmalloc_sizemap.h"

bool tcmalloc_sizemap_read(const struct core *c, uint64_t addr, struct tcmalloc_class *classes, uint32_t *nclasses)
{
        uint8_t raw[TCMALLOC_SIZEMAP_BYTES];
        if (!core_read(c, addr, raw, sizeof(raw)))
                return false;
        uint64_t n;
        memcpy(&n, raw + TCMALLOC_SIZEMAP_COUNT, sizeof(n));
        if (n < 2 || n > TCMALLOC_CLASSES_MAX)
                return false;
        int32_t size[TCMALLOC_CLASSES_MAX], batch[TCMALLOC_CLASSES_MAX];
        uint64_t pages[TCMALLOC_CLASSES_MAX];
        memcpy(size, raw + TCMALLOC_SIZEMAP_SIZE, sizeof(size));
        memcpy(batch, raw + TCMALLOC_SIZEMAP_MOVE, sizeof(batch));
        memcpy(pages, raw + TCMALLOC_SIZEMAP_PAGES, sizeof(pages));
        if (size[0] != 0 || size[n - 1] != (int32_t)TCMALLOC_MAX_SIZE)
                return false;
        for (uint64_t cl = 1; cl < n; cl++) {
                /* common.h: kAlignment is 8; SizeMap::Init makes each class larger than the last */
                if (size[cl] <= size[cl - 1] || size[cl] % 8 != 0)
                        return false;
                if (pages[cl] < 1 || pages[cl] > TCMALLOC_MAX_PAGES || pages[cl] * TCMALLOC_PAGE_SIZE < (uint64_t)size[cl])
                        return false;
                if (batch[cl] < 1)
                        return false;
        }
        memset(classes, 0, n * sizeof(*classes));
        for (uint64_t cl = 1; cl < n; cl++) {
                classes[cl].size = (uint32_t)size[cl];
                classes[cl].pages = (uint32_t)pages[cl];
                classes[cl].batch = (uint32_t)batch[cl];
        }
        *nclasses = (uint32_t)n;
        return true;
}
