/* Implementation of path_deleted.h. */
#include "path_deleted.h"

#include <string.h>

size_t path_deleted_strip(const char *path, size_t len, bool *deleted)
{
        const size_t slen = sizeof(DELETED_SUFFIX) - 1;
        *deleted = len > slen && memcmp(path + len - slen, DELETED_SUFFIX, slen) == 0;
        return *deleted ? len - slen : len;
}
