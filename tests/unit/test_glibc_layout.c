/*
 * Unit tests for analyze/glibc/glibc_layout.c.  The ground truth for the running
 * glibc is its own DWARF (libc6-dbg): every offset the table computes for
 * this release must equal what the compiler recorded for struct
 * malloc_state, malloc_par, heap_info and tcache_perthread_struct.  Other
 * releases are checked against offsets worked out by hand from their
 * malloc.c and arena.c (the comments say which fields moved).
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <gnu/libc-version.h>
#include <link.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/glibc/glibc_layout.h"

static struct glibc_layout layout(unsigned minor)
{
        struct glibc_layout l;
        assert_int_equal(glibc_layout_for(2, minor, 0, &l), GLIBC_LAYOUT_EXACT);
        return l;
}

/* --- the running glibc against its DWARF ------------------------------------------------ */

static int find_libc(struct dl_phdr_info *info, size_t size, void *data)
{
        (void)size;
        if (strstr(info->dlpi_name, "/libc.so")) {
                snprintf(data, 4096, "%s", info->dlpi_name);
                return 1;
        }
        return 0;
}

struct dwarf_libc {
        Dwfl *dwfl;
        Dwarf *dw;
        Dwarf_Die cu;               /* malloc.c's unit */
};

static Dwarf_Die *find_struct(Dwarf_Die *cu, const char *name, Dwarf_Die *out)
{
        Dwarf_Die d;
        if (dwarf_child(cu, &d) != 0)
                return NULL;
        do {
                const char *n = dwarf_diename(&d);
                if (dwarf_tag(&d) == DW_TAG_structure_type && n && strcmp(n, name) == 0 && dwarf_hasattr(&d, DW_AT_byte_size)) {
                        *out = d;
                        return out;
                }
                /* typedef'd anonymous-name structs are named at the struct itself in glibc */
        } while (dwarf_siblingof(&d, &d) == 0);
        return NULL;
}

/* The offset of member `name`, or -1 when the struct has none. */
static long member_offset(Dwarf_Die *st, const char *name)
{
        Dwarf_Die m;
        if (dwarf_child(st, &m) != 0)
                return -1;
        do {
                const char *n = dwarf_diename(&m);
                if (dwarf_tag(&m) == DW_TAG_member && n && strcmp(n, name) == 0) {
                        Dwarf_Attribute at;
                        Dwarf_Word off;
                        if (!dwarf_attr(&m, DW_AT_data_member_location, &at) || dwarf_formudata(&at, &off) != 0)
                                return -2;
                        return (long)off;
                }
        } while (dwarf_siblingof(&m, &m) == 0);
        return -1;
}

static int setup_dwarf(void **state)
{
        static char path[4096];
        static char *debuginfo_path = NULL;
        static const Dwfl_Callbacks cb = {
                .find_elf = dwfl_build_id_find_elf,
                .find_debuginfo = dwfl_standard_find_debuginfo,
                .section_address = dwfl_offline_section_address,
                .debuginfo_path = &debuginfo_path,
        };
        struct dwarf_libc *d = calloc(1, sizeof(*d));
        *state = d;
        if (!dl_iterate_phdr(find_libc, path))
                return 0;
        d->dwfl = dwfl_begin(&cb);
        dwfl_report_begin(d->dwfl);
        Dwfl_Module *mod = dwfl_report_offline(d->dwfl, "libc", path, -1);
        dwfl_report_end(d->dwfl, NULL, NULL);
        Dwarf_Addr bias;
        d->dw = mod ? dwfl_module_getdwarf(mod, &bias) : NULL;
        if (!d->dw)
                return 0;
        Dwarf_Off off = 0, next;
        size_t hsize;
        while (dwarf_nextcu(d->dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
                Dwarf_Die cu;
                if (dwarf_offdie(d->dw, off + hsize, &cu)) {
                        const char *name = dwarf_diename(&cu);
                        if (name && strlen(name) >= 8 && strcmp(name + strlen(name) - 8, "malloc.c") == 0) {
                                d->cu = cu;
                                return 0;
                        }
                }
                off = next;
        }
        d->dw = NULL;
        return 0;
}

static int teardown_dwarf(void **state)
{
        struct dwarf_libc *d = *state;
        if (d->dwfl)
                dwfl_end(d->dwfl);
        free(d);
        return 0;
}

#define CHECK_MEMBER(st, name, want)                                                   \
        do {                                                                           \
                long got_ = member_offset(st, name);                                   \
                if (got_ != (long)(want))                                              \
                        fail_msg("%s: DWARF says %ld, the layout %ld", name, got_, (long)(want)); \
        } while (0)

static void test_running_glibc_matches_dwarf(void **state)
{
        struct dwarf_libc *d = *state;
        if (!d->dw) {
                print_message("no debug info for the running libc (install libc6-dbg); skipped\n");
                skip();
        }
        unsigned major, minor;
        assert_int_equal(sscanf(gnu_get_libc_version(), "%u.%u", &major, &minor), 2);
        struct glibc_layout l;
        assert_int_not_equal(glibc_layout_for(major, minor, 0, &l), GLIBC_LAYOUT_OLDER);

        Dwarf_Die ms, mp, hi, tc;
        assert_non_null(find_struct(&d->cu, "malloc_state", &ms));
        CHECK_MEMBER(&ms, "mutex", l.ms_mutex);
        CHECK_MEMBER(&ms, "flags", l.ms_flags);
        CHECK_MEMBER(&ms, "have_fastchunks", l.ms_have_fastchunks);
        CHECK_MEMBER(&ms, "fastbinsY", l.ms_fastbins);
        CHECK_MEMBER(&ms, "top", l.ms_top);
        CHECK_MEMBER(&ms, "last_remainder", l.ms_last_remainder);
        CHECK_MEMBER(&ms, "bins", l.ms_bins);
        CHECK_MEMBER(&ms, "binmap", l.ms_binmap);
        CHECK_MEMBER(&ms, "next", l.ms_next);
        CHECK_MEMBER(&ms, "next_free", l.ms_next_free);
        CHECK_MEMBER(&ms, "attached_threads", l.ms_attached_threads);
        CHECK_MEMBER(&ms, "system_mem", l.ms_system_mem);
        CHECK_MEMBER(&ms, "max_system_mem", l.ms_max_system_mem);
        assert_int_equal(dwarf_bytesize(&ms), l.ms_size);

        assert_non_null(find_struct(&d->cu, "malloc_par", &mp));
        CHECK_MEMBER(&mp, "trim_threshold", l.mp_trim_threshold);
        CHECK_MEMBER(&mp, "top_pad", l.mp_top_pad);
        CHECK_MEMBER(&mp, "mmap_threshold", l.mp_mmap_threshold);
        CHECK_MEMBER(&mp, "arena_test", l.mp_arena_test);
        CHECK_MEMBER(&mp, "arena_max", l.mp_arena_max);
        CHECK_MEMBER(&mp, "thp_mode", l.mp_thp_mode);
        CHECK_MEMBER(&mp, "thp_pagesize", l.mp_thp_pagesize);
        CHECK_MEMBER(&mp, "hp_pagesize", l.mp_hp_pagesize);
        CHECK_MEMBER(&mp, "hp_flags", l.mp_hp_flags);
        CHECK_MEMBER(&mp, "n_mmaps", l.mp_n_mmaps);
        CHECK_MEMBER(&mp, "n_mmaps_max", l.mp_n_mmaps_max);
        CHECK_MEMBER(&mp, "max_n_mmaps", l.mp_max_n_mmaps);
        CHECK_MEMBER(&mp, "no_dyn_threshold", l.mp_no_dyn_threshold);
        CHECK_MEMBER(&mp, "mmapped_mem", l.mp_mmapped_mem);
        CHECK_MEMBER(&mp, "max_mmapped_mem", l.mp_max_mmapped_mem);
        CHECK_MEMBER(&mp, "sbrk_base", l.mp_sbrk_base);
        CHECK_MEMBER(&mp, minor >= 42 ? "tcache_small_bins" : "tcache_bins", l.mp_tcache_bins);
        CHECK_MEMBER(&mp, "tcache_max_bytes", l.mp_tcache_max_bytes);
        CHECK_MEMBER(&mp, "tcache_count", l.mp_tcache_count);
        CHECK_MEMBER(&mp, "tcache_unsorted_limit", l.mp_tcache_unsorted_limit);
        assert_int_equal(dwarf_bytesize(&mp), l.mp_size);

        assert_non_null(find_struct(&d->cu, "_heap_info", &hi));
        CHECK_MEMBER(&hi, "ar_ptr", l.hi_ar_ptr);
        CHECK_MEMBER(&hi, "prev", l.hi_prev);
        CHECK_MEMBER(&hi, "size", l.hi_size);
        CHECK_MEMBER(&hi, "mprotect_size", l.hi_mprotect_size);
        CHECK_MEMBER(&hi, "pagesize", l.hi_pagesize);
        assert_int_equal(dwarf_bytesize(&hi), l.hi_size_of);

        assert_non_null(find_struct(&d->cu, "tcache_perthread_struct", &tc));
        CHECK_MEMBER(&tc, minor >= 42 ? "num_slots" : "counts", l.tc_counts);
        CHECK_MEMBER(&tc, "entries", l.tc_entries);
        assert_int_equal(dwarf_bytesize(&tc), l.tc_size);
}

/* --- other releases, worked out from their sources -------------------------------------- */

static void test_release_2_26(void **state)
{
        (void)state;
        struct glibc_layout l = layout(26);
        /* no have_fastchunks: fastbinsY right after flags */
        assert_int_equal(l.ms_have_fastchunks, -1);
        assert_int_equal(l.ms_fastbins, 8);
        assert_int_equal(l.ms_top, 88);
        assert_int_equal(l.ms_bins, 104);
        assert_int_equal(l.ms_next, 2152);
        assert_int_equal(l.ms_system_mem, 2176);
        assert_int_equal(l.ms_size, 2192);
        /* mp_ without the hugepage fields */
        assert_int_equal(l.mp_n_mmaps, 40);
        assert_int_equal(l.mp_mmapped_mem, 56);
        assert_int_equal(l.mp_sbrk_base, 72);
        assert_int_equal(l.mp_tcache_count, 96);
        assert_int_equal(l.mp_size, 112);
        assert_int_equal(l.hi_size_of, 32);
        /* char counts[64]: a 576-byte struct in a 0x250 chunk */
        assert_int_equal(l.tcache_count_bytes, 1);
        assert_int_equal(l.tc_entries, 64);
        assert_int_equal(glibc_layout_tcache_chunk_size(&l), 0x250);
        assert_int_equal(l.tcache_key, GLIBC_TCACHE_KEY_NONE);
        assert_false(l.safe_linking);
}

static void test_release_steps(void **state)
{
        (void)state;
        struct glibc_layout l;

        l = layout(27); /* have_fastchunks */
        assert_int_equal(l.ms_have_fastchunks, 8);
        assert_int_equal(l.ms_fastbins, 16);
        assert_int_equal(l.ms_size, 2200);
        assert_int_equal(l.tcache_key, GLIBC_TCACHE_KEY_NONE);
        l = layout(28);
        assert_int_equal(l.tcache_key, GLIBC_TCACHE_KEY_NONE);
        l = layout(29); /* tcache_entry.key */
        assert_int_equal(l.tcache_key, GLIBC_TCACHE_KEY_PERTHREAD);
        assert_int_equal(l.tcache_count_bytes, 1);
        l = layout(30); /* uint16_t counts: 0x290 chunk */
        assert_int_equal(l.tcache_count_bytes, 2);
        assert_int_equal(glibc_layout_tcache_chunk_size(&l), 0x290);
        assert_false(l.safe_linking);
        l = layout(31);
        assert_false(l.safe_linking);
        l = layout(32);
        assert_true(l.safe_linking);
        assert_int_equal(l.tcache_key, GLIBC_TCACHE_KEY_PERTHREAD);
        l = layout(34);
        assert_int_equal(l.tcache_key, GLIBC_TCACHE_KEY_RANDOM);
        assert_int_equal(l.mp_hp_pagesize, -1);
        assert_int_equal(l.hi_size_of, 32);
        l = layout(35); /* thp_pagesize, hp_pagesize, hp_flags; heap_info.pagesize */
        assert_int_equal(l.mp_thp_pagesize, 40);
        assert_int_equal(l.mp_hp_pagesize, 48);
        assert_int_equal(l.mp_hp_flags, 56);
        assert_int_equal(l.mp_n_mmaps, 60);
        assert_int_equal(l.mp_mmapped_mem, 80);
        assert_int_equal(l.mp_sbrk_base, 96);
        assert_int_equal(l.mp_size, 136);
        assert_int_equal(l.hi_pagesize, 32);
        assert_int_equal(l.hi_size_of, 48);
        l = layout(41);
        assert_int_equal(l.tcache_bins, 64);
        l = layout(42); /* 64 small + 12 large tcache bins, num_slots */
        assert_int_equal(l.tcache_bins, 76);
        assert_true(l.tcache_counts_free_slots);
        assert_int_equal(l.tc_entries, 152);
        assert_int_equal(l.tc_size, 760);
        assert_int_equal(glibc_layout_tcache_chunk_size(&l), 0x300);
        assert_int_equal(l.nfastbins, 10);
}

static void test_development_2_43(void **state)
{
        (void)state;
        struct glibc_layout l;
        /* "2.42.9000" is the tree between 2.42 and 2.43: no fastbins, mp_.thp_mode */
        assert_int_equal(glibc_layout_for(2, 42, 9000, &l), GLIBC_LAYOUT_EXACT);
        assert_string_equal(l.name, "2.43");
        assert_int_equal(l.nfastbins, 0);
        assert_int_equal(l.ms_fastbins, -1);
        assert_int_equal(l.ms_have_fastchunks, -1);
        assert_int_equal(l.ms_top, 8);
        assert_int_equal(l.ms_bins, 24);
        assert_int_equal(l.ms_size, 2112);
        assert_int_equal(l.mp_thp_mode, 40);
        assert_int_equal(l.mp_thp_pagesize, 48);
        assert_int_equal(l.mp_n_mmaps, 68);
        assert_int_equal(l.mp_mmapped_mem, 88);
        assert_int_equal(l.mp_sbrk_base, 104);
        assert_int_equal(l.mp_size, 144);
        assert_int_equal(l.tcache_fill_count, 16);
}

static void test_unknown_versions(void **state)
{
        (void)state;
        struct glibc_layout l;
        assert_int_equal(glibc_layout_for(2, 25, 0, &l), GLIBC_LAYOUT_OLDER);
        assert_string_equal(l.name, "2.26");
        assert_int_equal(glibc_layout_for(2, 45, 0, &l), GLIBC_LAYOUT_NEWER);
        assert_string_equal(l.name, "2.43");
        assert_int_equal(glibc_layout_for(3, 0, 0, &l), GLIBC_LAYOUT_NEWER);
        assert_int_equal(glibc_layout_for(2, 36, 0, &l), GLIBC_LAYOUT_EXACT);
        assert_string_equal(l.name, "2.36");
        assert_int_equal(l.ms_size, 2200);
        /* every row lays out, newest last */
        unsigned n = glibc_layout_count();
        assert_true(n >= 9);
        glibc_layout_row(n - 1, &l);
        assert_string_equal(l.name, "2.43");
}

static void test_bins(void **state)
{
        (void)state;
        /* malloc.c: small bins hold one size each; largebin_index_64 for the rest */
        assert_int_equal(glibc_layout_bin_index(32), 2);
        assert_int_equal(glibc_layout_bin_index(1008), 63);
        assert_int_equal(glibc_layout_bin_index(1024), 64);
        assert_int_equal(glibc_layout_bin_index(3072), 96);    /* 3072 >> 6 = 48 -> 48 + 48 */
        assert_int_equal(glibc_layout_bin_index(3136), 97);    /* 3136 >> 9 = 6 -> 91 + 6 */
        assert_int_equal(glibc_layout_bin_index(10240), 111);  /* 10240 >> 9 = 20 */
        assert_int_equal(glibc_layout_bin_index(10752), 112);  /* 10752 >> 12 = 2 -> 110 + 2 */
        assert_int_equal(glibc_layout_bin_index(1u << 20), 126);

        uint64_t lo, hi;
        glibc_layout_tcache_bin_sizes(0, &lo, &hi);
        assert_int_equal(lo, 32);
        assert_int_equal(hi, 32);
        glibc_layout_tcache_bin_sizes(63, &lo, &hi);
        assert_int_equal(lo, 1040);
        assert_int_equal(hi, 1040);
        glibc_layout_tcache_bin_sizes(64, &lo, &hi); /* 2.42 large_csize2tidx: highest bit 10 */
        assert_int_equal(lo, 1056);
        assert_int_equal(hi, 2032);
        glibc_layout_tcache_bin_sizes(75, &lo, &hi);
        assert_int_equal(lo, 2u << 20);
        assert_int_equal(hi, (4u << 20) - 16);

        /* PROTECT_PTR (pos, ptr) = (pos >> 12) ^ ptr, its own inverse */
        uint64_t pos = 0x55555555a2c0, ptr = 0x55555555a300;
        uint64_t stored = (pos >> 12) ^ ptr;
        assert_int_equal(glibc_layout_reveal_ptr(pos, stored), ptr);
        assert_int_equal(glibc_layout_reveal_ptr(pos, pos >> 12), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_running_glibc_matches_dwarf, setup_dwarf, teardown_dwarf),
                cmocka_unit_test(test_release_2_26),
                cmocka_unit_test(test_release_steps),
                cmocka_unit_test(test_development_2_43),
                cmocka_unit_test(test_unknown_versions),
                cmocka_unit_test(test_bins),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
