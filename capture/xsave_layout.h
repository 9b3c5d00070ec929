/*
 * The NT_X86_XSAVE_LAYOUT note: where each extended state component lies in
 * the XSAVE area of NT_X86_XSTATE.  Since Linux 6.12 the kernel writes it
 * into every core (arch/x86/kernel/fpu/xstate.c, elf_coredump_extra_notes_write),
 * after all the threads' notes, so that a reader need not guess the layout
 * from the area's size: AMD's CPUs have no MPX components, so AVX-512's
 * state starts where Intel's layout has MPX's.
 *
 * One record per extended component (index 2 and up) enabled in the mask
 * the kernel hands user space, with the component's size and offset in the
 * standard (non-compacted) format from CPUID leaf 0xD, as the kernel takes
 * them at boot (xstate.c setup_xstate_cache).  The mask is read from the
 * XSAVE area itself: PTRACE_GETREGSET NT_X86_XSTATE puts the enabled mask
 * in the first word of its software-reserved bytes (arch/x86/include/asm/user.h).
 */
#ifndef MEMSNAP_XSAVE_LAYOUT_H
#define MEMSNAP_XSAVE_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NT_X86_XSAVE_LAYOUT 0x205   /* include/uapi/linux/elf.h */

/* arch/x86/include/asm/user.h: sw_usable_bytes[464..471] of the area hold XCR0. */
#define XSAVE_XCR0_OFFSET 464
/* arch/x86/include/asm/fpu/types.h: XFEATURE_FP and XFEATURE_SSE are legacy, the first extended is 2. */
#define XSAVE_FIRST_EXTENDED 2
#define XSAVE_FEATURES_MAX 64

/* arch/x86/include/uapi/asm/elf.h struct x86_xfeat_component, 16 bytes. */
struct xsave_component {
        uint32_t type;    /* the component's index: 2 AVX, 5 opmask, 6 ZMM_Hi256, 7 Hi16_ZMM, 9 PKRU, ... */
        uint32_t size;    /* bytes: CPUID.(EAX=0xD, ECX=type):EAX */
        uint32_t offset;  /* bytes from the area's start: CPUID.(EAX=0xD, ECX=type):EBX */
        uint32_t flags;   /* 0: the kernel reserves it */
};

/* CPUID leaf 0xD for one component: EAX (size) and EBX (offset). */
struct xsave_cpuid {
        uint32_t size, offset;
};

/* The enabled mask of an NT_X86_XSTATE area; false when the area is too short to hold it. */
bool xsave_layout_area_xcr0(const uint8_t *area, size_t len, uint64_t *xcr0);

/*
 * The records for xcr0, in index order, from leaf[i] for each extended
 * component i enabled in xcr0; out holds XSAVE_FEATURES_MAX.  Returns how
 * many were written.
 */
size_t xsave_layout_build(uint64_t xcr0, const struct xsave_cpuid leaf[XSAVE_FEATURES_MAX],
                          struct xsave_component *out);

/* xsave_layout_build with this CPU's CPUID leaf 0xD. */
size_t xsave_layout_read(uint64_t xcr0, struct xsave_component *out);

#endif
