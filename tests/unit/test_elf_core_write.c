/*
 * Unit tests for capture/elf_core_write.c: the layout's offsets, and the
 * headers as libelf reads them back, including extended numbering
 * (PN_XNUM) for 70000 PT_LOADs.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture/elf_core_write.h"

#define PS 4096

static struct core_layout layout(size_t n, bool notes_last, uint64_t notes_size)
{
        struct core_layout l = { .loads = calloc(n, sizeof(struct core_load)), .nloads = n, .page_size = PS,
                                 .notes_last = notes_last, .notes_size = notes_size };
        for (size_t i = 0; i < n; i++)
                l.loads[i] = (struct core_load){ .vaddr = 0x10000 + i * 2 * PS, .memsz = 2 * PS,
                                                 .filesz = (i % 3) ? PS : 0, .flags = PF_R | PF_W };
        core_layout_compute(&l);
        return l;
}

static void test_offsets(void **state)
{
        (void)state;
        struct core_layout l = layout(5, false, 1000);
        assert_int_equal(l.notes_offset, 64 + 6 * 56);
        assert_int_equal(l.data_offset, 4096);
        assert_int_equal(l.loads[0].offset, 4096);
        assert_int_equal(l.loads[1].offset, 4096);          /* load 0 has no bytes */
        assert_int_equal(l.loads[2].offset, 4096 + PS);
        assert_int_equal(l.loads[3].offset, 4096 + 2 * PS);
        assert_int_equal(l.loads[4].offset, 4096 + 2 * PS); /* load 3 has none either */
        assert_int_equal(l.file_size, 4096 + 3 * PS);
        assert_int_equal(l.shdr_offset, 0);
        free(l.loads);

        /* Notes last: the data offsets do not depend on the notes' size. */
        struct core_layout a = layout(5, true, 0), b = layout(5, true, 123456);
        for (size_t i = 0; i < 5; i++)
                assert_int_equal(a.loads[i].offset, b.loads[i].offset);
        assert_int_equal(b.notes_offset, b.loads[4].offset + PS);
        assert_int_equal(b.file_size, b.notes_offset + 123456);
        free(a.loads);
        free(b.loads);

        assert_int_equal(core_load_flags("r-xp"), PF_R | PF_X);
        assert_int_equal(core_load_flags("rw-s"), PF_R | PF_W);
        assert_int_equal(core_load_flags("---p"), 0);
}

static void check_headers(size_t n)
{
        struct core_layout l = layout(n, false, 100);
        char path[] = "/tmp/test-elf-core-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        unlink(path);
        assert_int_equal(elf_core_write_headers(fd, path, &l), 0);
        assert_int_equal(ftruncate(fd, (off_t)l.file_size), 0);

        elf_version(EV_CURRENT);
        Elf *e = elf_begin(fd, ELF_C_READ, NULL);
        assert_non_null(e);
        GElf_Ehdr eh;
        assert_non_null(gelf_getehdr(e, &eh));
        assert_int_equal(eh.e_type, ET_CORE);
        assert_int_equal(eh.e_machine, EM_X86_64);
        assert_int_equal(eh.e_phnum, n + 1 >= PN_XNUM ? PN_XNUM : n + 1);
        size_t phnum;
        assert_int_equal(elf_getphdrnum(e, &phnum), 0);
        assert_int_equal(phnum, n + 1);
        GElf_Phdr ph;
        assert_non_null(gelf_getphdr(e, 0, &ph));
        assert_int_equal(ph.p_type, PT_NOTE);
        assert_int_equal(ph.p_filesz, 100);
        assert_non_null(gelf_getphdr(e, (int)n, &ph));
        assert_int_equal(ph.p_type, PT_LOAD);
        assert_int_equal(ph.p_vaddr, l.loads[n - 1].vaddr);
        assert_int_equal(ph.p_offset, l.loads[n - 1].offset);
        assert_int_equal(ph.p_filesz, l.loads[n - 1].filesz);
        assert_int_equal(ph.p_memsz, 2 * PS);
        assert_int_equal(ph.p_align, PS);
        elf_end(e);
        close(fd);
        free(l.loads);
}

static void test_headers(void **state)
{
        (void)state;
        check_headers(10);
        check_headers(65534); /* 65535 program headers: e_phnum would read as PN_XNUM */
        check_headers(70000);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_offsets),
                cmocka_unit_test(test_headers),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
