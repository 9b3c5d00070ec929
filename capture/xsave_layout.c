/* Implementation of xsave_layout.h: CPUID leaf 0xD, one record per enabled component. */
#include "xsave_layout.h"

#include <cpuid.h>
#include <string.h>

#define CPUID_LEAF_XSTATE 0xd   /* Intel SDM vol. 2A, CPUID "Processor Extended State Enumeration" */

_Static_assert(sizeof(struct xsave_component) == 16, "x86_xfeat_component is four u32");

bool xsave_layout_area_xcr0(const uint8_t *area, size_t len, uint64_t *xcr0)
{
        if (!area || len < XSAVE_XCR0_OFFSET + sizeof(*xcr0))
                return false;
        memcpy(xcr0, area + XSAVE_XCR0_OFFSET, sizeof(*xcr0));
        return true;
}

size_t xsave_layout_build(uint64_t xcr0, const struct xsave_cpuid leaf[XSAVE_FEATURES_MAX],
                          struct xsave_component *out)
{
        size_t n = 0;
        /* xstate.c for_each_extended_xfeature: the enabled components from index 2 up. */
        for (unsigned i = XSAVE_FIRST_EXTENDED; i < XSAVE_FEATURES_MAX; i++)
                if (xcr0 & (UINT64_C(1) << i))
                        out[n++] = (struct xsave_component){
                                .type = i, .size = leaf[i].size, .offset = leaf[i].offset, .flags = 0,
                        };
        return n;
}

size_t xsave_layout_read(uint64_t xcr0, struct xsave_component *out)
{
        struct xsave_cpuid leaf[XSAVE_FEATURES_MAX] = { { 0, 0 } };
        unsigned max_leaf = __get_cpuid_max(0, NULL);

        if (max_leaf < CPUID_LEAF_XSTATE)
                return 0;
        for (unsigned i = XSAVE_FIRST_EXTENDED; i < XSAVE_FEATURES_MAX; i++) {
                if (!(xcr0 & (UINT64_C(1) << i)))
                        continue;
                unsigned eax, ebx, ecx, edx;
                __cpuid_count(CPUID_LEAF_XSTATE, i, eax, ebx, ecx, edx);
                leaf[i] = (struct xsave_cpuid){ eax, ebx };
        }
        return xsave_layout_build(xcr0, leaf, out);
}
