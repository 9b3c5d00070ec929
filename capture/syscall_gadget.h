/*
 * Where a process already has a `syscall` instruction (the bytes 0f 05)
 * in an executable page that is present: the address an injected system
 * call jumps to (syscall_inject.h).  The [vdso] comes first (its
 * fallbacks to the real system calls hold some), then the other
 * executable mappings (libc's text has hundreds).  Only present pages are
 * read, with the reader that reads the stopped target, so neither the
 * search nor the jump faults a page into the process: its RSS is
 * unchanged.  The two bytes need not start an instruction of the
 * program: the CPU decodes from wherever rip points.
 */
#ifndef MEMSNAP_SYSCALL_GADGET_H
#define MEMSNAP_SYSCALL_GADGET_H

#include <stddef.h>
#include <stdint.h>

#include "common/proc_maps.h"
#include "memory_read.h"
#include "pagemap.h"

/* The offset of the first 0f 05 in buf, or SIZE_MAX. */
size_t syscall_gadget_scan(const uint8_t *buf, size_t len);

/*
 * Finds one.  Returns 0 with *addr, -ENOENT when no present executable
 * page holds one, -ESRCH when the process is gone.
 */
int syscall_gadget_find(const struct map_list *maps, struct pagemap *pm, struct memory_reader *mem,
                        size_t page_size, uint64_t *addr);

#endif
