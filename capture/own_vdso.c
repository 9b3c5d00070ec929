/* Implementation of own_vdso.h: the [vdso] line of /proc/self/maps. */
#include "own_vdso.h"

#include <fcntl.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/proc_maps.h"
#include "proc_read.h"

void own_vdso_find(const uint8_t **start, size_t *len)
{
        _cleanup_free_ char *text = NULL;
        size_t tlen, bad;
        struct map_list self = { 0 };

        *start = NULL;
        *len = 0;
        if (proc_read_at(AT_FDCWD, "/proc/self/maps", &text, &tlen) == 0 &&
            proc_maps_parse(text, tlen, &self, &bad) == 0)
                for (size_t i = 0; i < self.n; i++)
                        if (self.v[i].path && strcmp(self.v[i].path, "[vdso]") == 0) {
                                *start = (const uint8_t *)(uintptr_t)self.v[i].start;
                                *len = self.v[i].end - self.v[i].start;
                        }
        map_list_free(&self);
}
