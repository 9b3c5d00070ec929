/*
 * Unit tests for analyze/snapshot.c: the snapshot row of cores built by
 * core_builder.c the way memsnap, gcore and the kernel write them, with
 * each fallback (MEMSNAP notes, auxv and NT_FILE, argv in core memory,
 * NT_PRPSINFO) exercised on its own.
 */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "analyze/stages.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/memsnap_note.h"
#include "core_builder.h"
#include "core_run.h"

static void run_snapshot(struct core_run *r, const struct core_builder *b)
{
        core_run_open(r, b);
        assert_int_equal(analysis_run(&r->a, STAGE_SNAPSHOT), 0);
}

static bool warned(const struct core_run *r, const char *needle)
{
        for (size_t i = 0; i < r->a.warnings.n; i++)
                if (strstr(r->a.warnings.v[i].message, needle))
                        return true;
        return false;
}

static const char status_text[] =
        "Name:\tchurn\n"
        "Umask:\t0022\n"
        "State:\tS (sleeping)\n"
        "Tgid:\t4242\n"
        "Pid:\t4242\n"
        "PPid:\t1\n"
        "VmPeak:\t  788052 kB\n"
        "VmSize:\t  638040 kB\n"
        "VmHWM:\t  452864 kB\n"
        "VmRSS:\t  383216 kB\n"
        "RssAnon:\t  381828 kB\n"
        "RssFile:\t    1388 kB\n"
        "RssShmem:\t       0 kB\n"
        "VmData:\t  481876 kB\n"
        "VmStk:\t     132 kB\n"
        "VmExe:\t       4 kB\n"
        "VmLib:\t    1528 kB\n"
        "VmPTE:\t    1524 kB\n"
        "VmSwap:\t       0 kB\n"
        "Threads:\t5\n";

static void test_memsnap_notes(void **state)
{
        (void)state;
        struct core_builder b;
        struct core_run r;
        static const char settings[] =
                "version=0.1.0\ncaptured_at=2024-05-01T12:00:00Z\npid=4242\nexe=/srv/bin/churn (deleted)\n"
                "pause_ms=12.5\npage_size=4096\n";
        static const char cmdline[] = "/srv/bin/churn\0-t\0" "4\0";

        cb_init(&b);
        cb_prstatus(&b, 4242, 0, 0, 0, 0);
        cb_prpsinfo(&b, 4242, 1, "churn", "/srv/bin/churn -t 4 ");
        cb_note(&b, MEMSNAP_NOTE_NAME, MEMSNAP_NT_SETTINGS, settings, sizeof(settings) - 1);
        cb_note(&b, MEMSNAP_NOTE_NAME, MEMSNAP_NT_CMDLINE, cmdline, sizeof(cmdline) - 1);
        cb_note(&b, MEMSNAP_NOTE_NAME, MEMSNAP_NT_STATUS, status_text, sizeof(status_text) - 1);
        run_snapshot(&r, &b);

        const struct snapshot_info *s = &r.a.snap;
        assert_int_equal(s->source, CORE_SOURCE_MEMSNAP);
        assert_int_equal(s->pid, 4242);
        assert_int_equal(s->ppid, 1);
        assert_string_equal(s->exe, "/srv/bin/churn");
        assert_string_equal(s->cmdline, "/srv/bin/churn -t 4");
        assert_true(s->cmdline_complete);
        assert_string_equal(s->captured_at, "2024-05-01T12:00:00Z");
        assert_true(s->pause_ms > 12.49 && s->pause_ms < 12.51);
        assert_int_equal(s->page_size, 4096);
        assert_int_equal(s->signal, 0);
        assert_string_equal(s->comm, "churn");
        assert_int_equal(s->vm_rss_kb, 383216);
        assert_int_equal(s->vm_size_kb, 638040);
        assert_int_equal(s->vm_data_kb, 481876);
        assert_int_equal(s->vm_stk_kb, 132);
        assert_int_equal(s->vm_exe_kb, 4);
        assert_int_equal(s->vm_lib_kb, 1528);
        assert_int_equal(s->vm_swap_kb, 0);
        assert_int_equal(s->vm_hwm_kb, 452864);
        assert_int_equal(s->vm_peak_kb, 788052);
        assert_int_equal(s->vm_pte_kb, 1524);
        assert_int_equal(s->rss_anon_kb, 381828);
        assert_int_equal(s->rss_file_kb, 1388);
        assert_int_equal(s->rss_shmem_kb, 0);
        assert_int_equal(r.a.warnings.n, 0);
        core_run_end(&r);
        cb_free(&b);
}

/* A kernel core: exe from the NT_FILE mapping holding AT_ENTRY, cmdline from prpsinfo. */
static void test_kernel_fallbacks(void **state)
{
        (void)state;
        struct core_builder b;
        struct core_run r;

        cb_init(&b);
        cb_prstatus(&b, 77, 11, 0, 0, 0);
        cb_prpsinfo(&b, 77, 5, "prog", "/opt/prog --flag ");
        cb_siginfo(&b, 11);
        const uint64_t auxv[][2] = { { AT_PAGESZ, 4096 }, { AT_ENTRY, 0x401234 } };
        cb_auxv(&b, &auxv[0][0], 2);
        const struct cb_file files[] = {
                { 0x400000, 0x401000, 0, "/opt/prog" },
                { 0x401000, 0x402000, 1, "/opt/prog (deleted)" },
        };
        cb_nt_file(&b, files, 2, 4096);
        run_snapshot(&r, &b);

        const struct snapshot_info *s = &r.a.snap;
        assert_int_equal(s->source, CORE_SOURCE_KERNEL);
        assert_int_equal(s->pid, 77);
        assert_int_equal(s->ppid, 5);
        assert_string_equal(s->exe, "/opt/prog");
        assert_string_equal(s->cmdline, "/opt/prog --flag");
        assert_true(s->cmdline_complete);
        assert_null(s->captured_at);
        assert_int_equal(s->signal, 11);
        assert_true(s->pause_ms < 0);
        assert_int_equal(s->vm_rss_kb, -1);
        core_run_end(&r);
        cb_free(&b);

        /* fill_psinfo keeps 79 bytes of a longer command line: say it was cut. */
        char longargs[80];
        memset(longargs, 'x', sizeof(longargs));
        longargs[79] = '\0';
        cb_init(&b);
        cb_prstatus(&b, 77, 11, 0, 0, 0);
        cb_prpsinfo(&b, 77, 5, "prog", longargs);
        run_snapshot(&r, &b);
        assert_int_equal(strlen(r.a.snap.cmdline), 79);
        assert_false(r.a.snap.cmdline_complete);
        assert_true(warned(&r, "cut"));
        assert_string_equal(r.a.snap.exe, "prog"); /* nothing better than pr_fname */
        core_run_end(&r);
        cb_free(&b);
}

/* The initial stack as fs/binfmt_elf.c create_elf_tables lays it out. */
static void test_argv_in_memory(void **state)
{
        (void)state;
        struct core_builder b;
        struct core_run r;
        const uint64_t base = 0x7ffd00000000;
        uint8_t stack[4096] = { 0 };
        uint64_t words[32];
        size_t nw = 0;

        /* Strings at the top of the page: argv[0..2], one environment string, AT_EXECFN's copy. */
        const char *strs[] = { "/usr/bin/long-program", "--an argument with spaces", "last", "HOME=/root",
                               "/usr/bin/long-program" };
        uint64_t addr[5];
        size_t off = 3000;
        for (size_t i = 0; i < 5; i++) {
                addr[i] = base + off;
                memcpy(stack + off, strs[i], strlen(strs[i]) + 1);
                off += strlen(strs[i]) + 1;
        }
        uint64_t auxv[][2] = { { AT_PAGESZ, 4096 }, { AT_EXECFN, addr[4] }, { AT_ENTRY, 0x401000 } };
        words[nw++] = 3;
        words[nw++] = addr[0];
        words[nw++] = addr[1];
        words[nw++] = addr[2];
        words[nw++] = 0;
        words[nw++] = addr[3];
        words[nw++] = 0;
        for (size_t i = 0; i < 3; i++) {
                words[nw++] = auxv[i][0];
                words[nw++] = auxv[i][1];
        }
        words[nw++] = AT_NULL;
        words[nw++] = 0;
        memcpy(stack + 1024, words, nw * 8);

        cb_init(&b);
        cb_prstatus(&b, 9, 0, 0, 0, 0);
        cb_prpsinfo(&b, 9, 1, "long-program", "/usr/bin/long-program"); /* gcore's: no arguments */
        cb_auxv(&b, &auxv[0][0], 3);
        cb_load(&b, base, sizeof(stack), stack, sizeof(stack), PF_R | PF_W);
        run_snapshot(&r, &b);
        assert_string_equal(r.a.snap.cmdline, "/usr/bin/long-program --an argument with spaces last");
        assert_true(r.a.snap.cmdline_complete);
        /* No NT_FILE holds AT_ENTRY: the exe is the AT_EXECFN string. */
        assert_string_equal(r.a.snap.exe, "/usr/bin/long-program");
        core_run_end(&r);
        cb_free(&b);
}

static void test_no_prpsinfo(void **state)
{
        (void)state;
        struct core_builder b;
        struct core_run r;
        static const char settings[] = "pid=12\npause_ms=soon\n";

        cb_init(&b);
        cb_prstatus(&b, 31, 0, 0, 0, 0);
        run_snapshot(&r, &b);
        assert_int_equal(r.a.snap.pid, 31);
        assert_true(warned(&r, "first thread"));
        assert_null(r.a.snap.exe);
        assert_null(r.a.snap.cmdline);
        assert_int_equal(r.a.snap.page_size, 0);
        core_run_end(&r);
        cb_free(&b);

        /* Settings that disagree with NT_PRPSINFO, and a pause that is not a number. */
        cb_init(&b);
        cb_prstatus(&b, 12, 0, 0, 0, 0);
        cb_prpsinfo(&b, 13, 1, "x", "x");
        cb_note(&b, MEMSNAP_NOTE_NAME, MEMSNAP_NT_SETTINGS, settings, sizeof(settings) - 1);
        cb_note(&b, MEMSNAP_NOTE_NAME, MEMSNAP_NT_STATUS, "garbage", 7);
        run_snapshot(&r, &b);
        assert_int_equal(r.a.snap.pid, 12);
        assert_true(warned(&r, "NT_PRPSINFO says 13"));
        assert_true(warned(&r, "pause_ms"));
        assert_true(warned(&r, "not /proc/PID/status"));
        assert_true(r.a.snap.pause_ms < 0);
        core_run_end(&r);
        cb_free(&b);

        /* strtod reads these as numbers; no pause lasts them. */
        static const char *const not_pauses[] = { "pause_ms=inf\n", "pause_ms=nan\n", "pause_ms=-INFINITY\n",
                                                  "pause_ms=1e999\n" };
        for (size_t i = 0; i < ELEMENTSOF(not_pauses); i++) {
                cb_init(&b);
                cb_prstatus(&b, 12, 0, 0, 0, 0);
                cb_note(&b, MEMSNAP_NOTE_NAME, MEMSNAP_NT_SETTINGS, not_pauses[i], strlen(not_pauses[i]));
                run_snapshot(&r, &b);
                assert_true(warned(&r, "pause_ms"));
                assert_true(r.a.snap.pause_ms < 0);
                core_run_end(&r);
                cb_free(&b);
        }
}

/*
 * Capture escapes settings values (common/text_escape.h): a path or a name
 * with a tab, a backslash or a newline reads back as it was.  The status
 * note's Name is escaped by the kernel (newline and backslash) and reads
 * back the same way.
 */
static void test_escaped_values(void **state)
{
        (void)state;
        struct core_builder b;
        struct core_run r;
        static const char settings[] = "pid=21\nexe=/srv/a\\tb\\\\c\\nd/prog\ncomm=we\\tird\\\\name\\n\n";

        cb_init(&b);
        cb_prstatus(&b, 21, 0, 0, 0, 0);
        cb_prpsinfo(&b, 21, 1, "we", "prog");
        cb_note(&b, MEMSNAP_NOTE_NAME, MEMSNAP_NT_SETTINGS, settings, sizeof(settings) - 1);
        run_snapshot(&r, &b);
        assert_string_equal(r.a.snap.exe, "/srv/a\tb\\c\nd/prog");
        assert_string_equal(r.a.snap.comm, "we\tird\\name\n");
        core_run_end(&r);
        cb_free(&b);

        static const char status[] = "Name:\tback\\\\slash\\nline\nPid:\t22\n";
        cb_init(&b);
        cb_prstatus(&b, 22, 0, 0, 0, 0);
        cb_note(&b, MEMSNAP_NOTE_NAME, MEMSNAP_NT_STATUS, status, sizeof(status) - 1);
        run_snapshot(&r, &b);
        assert_string_equal(r.a.snap.comm, "back\\slash\nline");
        core_run_end(&r);
        cb_free(&b);
}

int main(void)
{
        log_set_level(LOG_LEVEL_ERROR);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_memsnap_notes),
                cmocka_unit_test(test_kernel_fallbacks),
                cmocka_unit_test(test_argv_in_memory),
                cmocka_unit_test(test_no_prpsinfo),
                cmocka_unit_test(test_escaped_values),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
