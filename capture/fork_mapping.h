/*
 * Which mappings a fork capture reads from the copy-on-write child, and
 * which from the target while it is still stopped.  The child holds the
 * target's memory as it was at the fork only where fork copies it
 * (kernel/fork.c dup_mmap): private mappings.  Not so for:
 *
 *   - MAP_SHARED mappings (perms "s": shm, shared files, shared anonymous
 *     memory): the child sees the same pages, which the target goes on
 *     changing;
 *   - MADV_DONTFORK (VmFlags "dc"): not in the child at all;
 *   - MADV_WIPEONFORK ("wf"): zeros in the child;
 *   - hugetlb ("ht"): a private hugetlb page the target writes may be
 *     taken back from the child when the pool is short (mm/hugetlb.c
 *     unmap_ref_private);
 *   - VM_IO / VM_PFNMAP ("io", "pf") and the kernel's own [vdso], [vvar],
 *     [vsyscall]: small or not copied as memory.
 *
 * Those are read during the stop, exactly as a stop capture reads them.
 */
#ifndef MEMSNAP_FORK_MAPPING_H
#define MEMSNAP_FORK_MAPPING_H

#include <stdbool.h>

#include "common/proc_maps.h"

/* Whether the child holds e's bytes as they were at the fork. */
bool fork_mapping_in_child(const struct map_entry *e);

#endif
