/*
 * Unit tests for capture/xsave_layout.c: the NT_X86_XSAVE_LAYOUT records
 * built from CPUID leaf 0xD tables of two real CPUs, and the enabled mask
 * read from an XSAVE area as PTRACE_GETREGSET gives it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "capture/xsave_layout.h"

/*
 * An AMD EPYC with AVX-512 (XCR0 0xe7): no MPX (3, 4), so opmask follows
 * AVX directly.  The kernel's core on that machine holds these four records.
 */
static void test_amd_avx512(void **state)
{
        (void)state;
        struct xsave_cpuid leaf[XSAVE_FEATURES_MAX] = { { 0, 0 } };
        leaf[2] = (struct xsave_cpuid){ 256, 576 };
        leaf[5] = (struct xsave_cpuid){ 64, 832 };
        leaf[6] = (struct xsave_cpuid){ 512, 896 };
        leaf[7] = (struct xsave_cpuid){ 1024, 1408 };
        leaf[9] = (struct xsave_cpuid){ 8, 2432 };   /* PKRU: offered by the CPU, not enabled in this mask */
        struct xsave_component out[XSAVE_FEATURES_MAX];
        size_t n = xsave_layout_build(0xe7, leaf, out);
        assert_int_equal(n, 4);
        static const struct xsave_component want[] = {
                { 2, 256, 576, 0 }, { 5, 64, 832, 0 }, { 6, 512, 896, 0 }, { 7, 1024, 1408, 0 },
        };
        assert_memory_equal(out, want, sizeof(want));
}

/* An Intel CPU with MPX and PKRU (XCR0 0x2ff): MPX's areas sit between AVX and AVX-512. */
static void test_intel_mpx(void **state)
{
        (void)state;
        struct xsave_cpuid leaf[XSAVE_FEATURES_MAX] = { { 0, 0 } };
        leaf[2] = (struct xsave_cpuid){ 256, 576 };
        leaf[3] = (struct xsave_cpuid){ 64, 960 };
        leaf[4] = (struct xsave_cpuid){ 64, 1024 };
        leaf[5] = (struct xsave_cpuid){ 64, 1088 };
        leaf[6] = (struct xsave_cpuid){ 512, 1152 };
        leaf[7] = (struct xsave_cpuid){ 1024, 1664 };
        leaf[9] = (struct xsave_cpuid){ 8, 2688 };
        struct xsave_component out[XSAVE_FEATURES_MAX];
        size_t n = xsave_layout_build(0x2ff, leaf, out);
        assert_int_equal(n, 7);
        assert_int_equal(out[0].type, 2);
        assert_int_equal(out[1].type, 3);
        assert_int_equal(out[5].type, 7);
        assert_int_equal(out[5].offset, 1664);
        assert_int_equal(out[6].type, 9);
        assert_int_equal(out[6].size, 8);
        assert_int_equal(out[6].offset, 2688);
}

/* Only x87 and SSE enabled: no extended component, no record. */
static void test_legacy_only(void **state)
{
        (void)state;
        struct xsave_cpuid leaf[XSAVE_FEATURES_MAX] = { { 0, 0 } };
        struct xsave_component out[XSAVE_FEATURES_MAX];
        assert_int_equal(xsave_layout_build(0x3, leaf, out), 0);
}

static void test_area_xcr0(void **state)
{
        (void)state;
        uint8_t area[832] = { 0 };
        uint64_t mask = 0xe7, got = 0;
        memcpy(area + 464, &mask, sizeof(mask));
        assert_true(xsave_layout_area_xcr0(area, sizeof(area), &got));
        assert_int_equal(got, 0xe7);
        assert_false(xsave_layout_area_xcr0(area, 471, &got));
        assert_false(xsave_layout_area_xcr0(NULL, 0, &got));
}

/* This CPU, when it has AVX: its one record is where every AVX CPU puts it. */
static void test_this_cpu(void **state)
{
        (void)state;
        if (!__builtin_cpu_supports("avx"))
                skip();
        struct xsave_component out[XSAVE_FEATURES_MAX];
        size_t n = xsave_layout_read(0x7, out);   /* x87, SSE, AVX */
        assert_int_equal(n, 1);
        assert_int_equal(out[0].type, 2);
        assert_int_equal(out[0].size, 256);
        assert_int_equal(out[0].offset, 576);     /* fixed since the first AVX CPU */
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_amd_avx512), cmocka_unit_test(test_intel_mpx),
                cmocka_unit_test(test_legacy_only), cmocka_unit_test(test_area_xcr0),
                cmocka_unit_test(test_this_cpu),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
