/* Implementation of fork_mapping.h: perms and VmFlags (fs/proc/task_mmu.c show_smap_vma_flags). */
#include "fork_mapping.h"

#include <string.h>

bool fork_mapping_in_child(const struct map_entry *e)
{
        static const char *const not_copied[] = { "dc", "wf", "ht", "io", "pf" };
        if (e->perms[3] != 'p')
                return false;
        for (size_t i = 0; i < sizeof(not_copied) / sizeof(not_copied[0]); i++)
                if (map_entry_has_vm_flag(e, not_copied[i]))
                        return false;
        if (e->path && e->path[0] == '[' && strcmp(e->path, "[heap]") != 0 && strcmp(e->path, "[stack]") != 0 &&
            strncmp(e->path, "[anon:", 6) != 0)
                return false;
        return true;
}
