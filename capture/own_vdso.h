/*
 * memsnap's own [vdso].  The kernel maps one and the same vDSO image into
 * every 64-bit process (arch/x86/entry/vdso), so the pages of a target's
 * vDSO it never touched can be copied from ours (dump_plan.c) and its
 * frames named from ours (live_stacks.c), without reading the target.
 * Found once per command, before the target is stopped: it costs a read
 * of /proc/self/maps.
 */
#ifndef MEMSNAP_OWN_VDSO_H
#define MEMSNAP_OWN_VDSO_H

#include <stddef.h>
#include <stdint.h>

/* Where memsnap's [vdso] is mapped and how long it is; NULL and 0 when it has none. */
void own_vdso_find(const uint8_t **start, size_t *len);

#endif
