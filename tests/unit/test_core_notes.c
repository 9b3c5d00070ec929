/*
 * Unit tests for capture/core_notes.c and capture/note_buf.c: the kernel's
 * notes built from plain values, in the kernel's order and layout, checked
 * against the structures of <sys/procfs.h> as gdb and elfutils read them.
 */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture/core_notes.h"
#include "capture/note_buf.h"

static void test_note_layout(void **state)
{
        (void)state;
        struct note_buf b = { 0 };
        assert_int_equal(note_buf_add(&b, "CORE", 1, "abcde", 5), 0);
        /* 12-byte header, "CORE\0" padded to 8, 5 bytes padded to 8. */
        assert_int_equal(b.len, 12 + 8 + 8);
        assert_int_equal(note_buf_note_size("CORE", 5), 28);
        Elf64_Nhdr nh;
        memcpy(&nh, b.data, sizeof(nh));
        assert_int_equal(nh.n_namesz, 5);
        assert_int_equal(nh.n_descsz, 5);
        assert_int_equal(nh.n_type, 1);
        assert_string_equal((char *)b.data + 12, "CORE");
        assert_memory_equal(b.data + 20, "abcde\0\0\0", 8);
        assert_int_equal(note_buf_add(&b, "MEMSNAP", 7, NULL, 0), 0);
        assert_int_equal(b.len, 28 + 12 + 8);
        note_buf_free(&b);
}

static struct map_list some_maps(void)
{
        static const char text[] = "555555554000-555555556000 r-xp 00000000 08:01 100 /usr/bin/app\n"
                                   "555555556000-555555557000 rw-p 00003000 08:01 100 /usr/bin/app\n"
                                   "555555557000-555555558000 rw-p 00000000 00:00 0 [heap]\n"
                                   "7ffff7000000-7ffff7001000 rw-p 00000000 00:00 0\n"
                                   "7ffff7f20000-7ffff7f21000 rw-s 00002000 00:05 9 /memfd:ring (deleted)\n";
        struct map_list l = { 0 };
        size_t bad;
        assert_int_equal(proc_maps_parse(text, strlen(text), &l, &bad), 0);
        return l;
}

static void test_file_note(void **state)
{
        (void)state;
        struct map_list l = some_maps();
        uint8_t *d;
        size_t len;
        assert_int_equal(core_notes_file_build(&l, 4096, &d, &len), 0);
        uint64_t v[2 + 3 * 3];
        memcpy(v, d, sizeof(v));
        assert_int_equal(v[0], 3);     /* count: the file mappings */
        assert_int_equal(v[1], 4096);  /* page size */
        assert_int_equal(v[2], 0x555555554000);
        assert_int_equal(v[3], 0x555555556000);
        assert_int_equal(v[4], 0);
        assert_int_equal(v[7], 3);     /* offset 0x3000 in pages */
        assert_int_equal(v[10], 2);
        const char *names = (const char *)d + sizeof(v);
        assert_string_equal(names, "/usr/bin/app");
        names += strlen(names) + 1;
        assert_string_equal(names, "/usr/bin/app");
        names += strlen(names) + 1;
        assert_string_equal(names, "/memfd:ring (deleted)");
        assert_int_equal((size_t)(names + strlen(names) + 1 - (const char *)d), len);
        free(d);
        map_list_free(&l);
}

static void test_prpsinfo(void **state)
{
        (void)state;
        static const char cmdline[] = "/usr/bin/app\0--flag\0value\0";
        struct core_process_info p = {
                .pid = 100, .ppid = 1, .pgrp = 100, .sid = 90, .state = 'S', .nice = -5, .flags = 0x400000,
                .uid = 1000, .gid = 100, .cmdline = cmdline, .cmdline_len = sizeof(cmdline) - 1,
        };
        strcpy(p.comm, "app");
        prpsinfo_t ps;
        core_notes_prpsinfo_fill(&ps, &p);
        assert_int_equal(ps.pr_state, 1);
        assert_int_equal(ps.pr_sname, 'S');
        assert_int_equal(ps.pr_zomb, 0);
        assert_int_equal(ps.pr_nice, -5);
        assert_int_equal(ps.pr_pid, 100);
        assert_int_equal(ps.pr_sid, 90);
        assert_int_equal(ps.pr_uid, 1000);
        assert_string_equal(ps.pr_fname, "app");
        /* fill_psinfo: NULs become spaces, the last one too. */
        assert_string_equal(ps.pr_psargs, "/usr/bin/app --flag value ");

        /* A long command line is cut to ELF_PRARGSZ - 1; 't' (traced) counts as T. */
        char long_cmd[200];
        memset(long_cmd, 'x', sizeof(long_cmd));
        p.cmdline = long_cmd;
        p.cmdline_len = sizeof(long_cmd);
        p.state = 't';
        core_notes_prpsinfo_fill(&ps, &p);
        assert_int_equal(strlen(ps.pr_psargs), sizeof(ps.pr_psargs) - 1);
        assert_int_equal(ps.pr_sname, 'T');
        assert_int_equal(ps.pr_state, 3);
        p.state = 'I';
        core_notes_prpsinfo_fill(&ps, &p);
        assert_int_equal(ps.pr_sname, '.');
}

static void test_prstatus(void **state)
{
        (void)state;
        struct thread_regs regs = { .have_fpr = true };
        regs.gpr.rip = 0x401000;
        regs.gpr.rsp = 0x7fffffffe000;
        regs.gpr.fs_base = 0x7ffff7d8a740;
        struct core_process_info p = { .pid = 100, .ppid = 1, .pgrp = 100, .sid = 90, .clk_tck = 100,
                                       .cutime = 250, .cstime = 1 };
        struct core_thread_info t = { .tid = 101, .regs = &regs, .sigpend = 0x100, .sighold = 0x2,
                                      .utime = 1234, .stime = 5 };
        prstatus_t st;
        core_notes_prstatus_fill(&st, &p, &t);
        assert_int_equal(st.pr_pid, 101);
        assert_int_equal(st.pr_ppid, 1);
        assert_int_equal(st.pr_sigpend, 0x100);
        assert_int_equal(st.pr_sighold, 0x2);
        assert_int_equal(st.pr_cursig, 0);
        assert_int_equal(st.pr_utime.tv_sec, 12);
        assert_int_equal(st.pr_utime.tv_usec, 340000);
        assert_int_equal(st.pr_stime.tv_usec, 50000);
        assert_int_equal(st.pr_cutime.tv_sec, 2);
        assert_int_equal(st.pr_fpvalid, 1);
        struct user_regs_struct r;
        memcpy(&r, &st.pr_reg, sizeof(r));
        assert_int_equal(r.rip, 0x401000);
        assert_int_equal(r.fs_base, 0x7ffff7d8a740);
}

static void test_auxv_length(void **state)
{
        (void)state;
        uint64_t auxv[] = { AT_PAGESZ, 4096, AT_NULL, 0, 0, 0, 0, 0 };
        assert_int_equal(core_notes_auxv_length((uint8_t *)auxv, sizeof(auxv)), 32);
        assert_int_equal(core_notes_auxv_length((uint8_t *)auxv, 20), 16);
}

static void test_order(void **state)
{
        (void)state;
        struct map_list l = some_maps();
        uint8_t xs[832] = { 1 };
        struct thread_regs regs = { .have_fpr = true, .xstate = xs, .xstate_len = sizeof(xs) };
        /* The second thread called ioperm: its bitmap comes between the FP registers and the XSAVE area. */
        uint8_t bitmap[8192];
        memset(bitmap, 0xff, sizeof(bitmap));
        struct thread_regs io_regs = regs;
        io_regs.ioperm = bitmap;
        io_regs.ioperm_len = sizeof(bitmap);
        uint64_t auxv[] = { AT_PAGESZ, 4096, AT_NULL, 0 };
        const struct xsave_component layout[] = { { 2, 256, 576, 0 }, { 5, 64, 832, 0 } };
        struct core_process_info p = { .pid = 100, .auxv = (uint8_t *)auxv, .auxv_len = sizeof(auxv), .maps = &l,
                                       .page_size = 4096, .xsave_layout = layout, .xsave_layout_n = 2 };
        struct core_thread_info t[2] = { { .tid = 100, .regs = &regs }, { .tid = 101, .regs = &io_regs } };
        struct note_buf b = { 0 };
        assert_int_equal(core_notes_build(&b, &p, t, 2), 0);

        static const struct {
                const char *name;
                uint32_t type;
        } want[] = {
                { "CORE", NT_PRSTATUS }, { "CORE", NT_PRPSINFO }, { "CORE", NT_AUXV },
                { "CORE", NT_FILE },     { "CORE", NT_PRFPREG },  { "LINUX", NT_X86_XSTATE },
                { "CORE", NT_PRSTATUS }, { "CORE", NT_PRFPREG },  { "LINUX", NT_386_IOPERM },
                { "LINUX", NT_X86_XSTATE }, { "LINUX", NT_X86_XSAVE_LAYOUT },
        };
        size_t off = 0, i = 0;
        while (off < b.len) {
                Elf64_Nhdr nh;
                memcpy(&nh, b.data + off, sizeof(nh));
                assert_true(i < sizeof(want) / sizeof(want[0]));
                assert_string_equal((char *)b.data + off + 12, want[i].name);
                assert_int_equal(nh.n_type, want[i].type);
                if (nh.n_type == NT_X86_XSTATE)
                        assert_int_equal(nh.n_descsz, sizeof(xs));
                if (nh.n_type == NT_X86_XSAVE_LAYOUT) {
                        /* After the name "LINUX\0" padded to 8: the records as they are. */
                        assert_int_equal(nh.n_descsz, sizeof(layout));
                        assert_memory_equal(b.data + off + 12 + 8, layout, sizeof(layout));
                }
                off += note_buf_note_size(want[i].name, nh.n_descsz);
                i++;
        }
        assert_int_equal(i, sizeof(want) / sizeof(want[0]));
        note_buf_free(&b);
        map_list_free(&l);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_note_layout), cmocka_unit_test(test_file_note),
                cmocka_unit_test(test_prpsinfo),    cmocka_unit_test(test_prstatus),
                cmocka_unit_test(test_auxv_length), cmocka_unit_test(test_order),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
