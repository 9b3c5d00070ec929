/*
 * The kernel's notes of a core, written as fs/binfmt_elf.c writes them
 * (fill_note_info / write_note_info), so gdb, elfutils and analyze read our
 * cores as they read the kernel's:
 *
 *   first thread (the main thread):  NT_PRSTATUS "CORE", NT_PRPSINFO "CORE",
 *     [NT_SIGINFO: none for a live capture, no signal is being delivered],
 *     NT_AUXV "CORE", NT_FILE "CORE", NT_PRFPREG "CORE",
 *     [NT_386_IOPERM "LINUX": a thread that called ioperm], NT_X86_XSTATE "LINUX"
 *   every other thread:  NT_PRSTATUS, NT_PRFPREG, [NT_386_IOPERM], NT_X86_XSTATE
 *   after the last thread, once:  NT_X86_XSAVE_LAYOUT "LINUX" (xsave_layout.h),
 *     as elf_core_dump writes elf_coredump_extra_notes_write's notes last
 *
 * The inputs are plain values read from /proc and ptrace, so unit tests can
 * build notes without a process.
 */
#ifndef MEMSNAP_CORE_NOTES_H
#define MEMSNAP_CORE_NOTES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/procfs.h>
#include <sys/types.h>

#include "common/proc_maps.h"
#include "note_buf.h"
#include "thread_regs.h"
#include "xsave_layout.h"

struct core_thread_info {
        pid_t tid;
        const struct thread_regs *regs;
        uint64_t sigpend;           /* SigPnd of /proc/PID/task/TID/status */
        uint64_t sighold;           /* SigBlk */
        uint64_t utime, stime;      /* clock ticks; the group's totals for the main thread */
};

struct core_process_info {
        pid_t pid, ppid, pgrp, sid;
        uint64_t cutime, cstime;    /* clock ticks: waited-for children */
        long clk_tck;               /* sysconf(_SC_CLK_TCK) */
        char state;                 /* stat's letter before the stop ('S', 'R', ...) */
        int64_t nice;
        uint64_t flags;             /* task flags from stat */
        uid_t uid;                  /* real ids, as fill_psinfo takes them */
        gid_t gid;
        char comm[16];              /* TASK_COMM_LEN */
        const char *cmdline;        /* NUL-separated, as /proc/PID/cmdline */
        size_t cmdline_len;
        const uint8_t *auxv;        /* /proc/PID/auxv */
        size_t auxv_len;
        const struct map_list *maps;
        size_t page_size;
        const struct xsave_component *xsave_layout;  /* NT_X86_XSAVE_LAYOUT's records; none when 0 */
        size_t xsave_layout_n;
};

/* fill_prstatus + the thread's general registers. */
void core_notes_prstatus_fill(prstatus_t *st, const struct core_process_info *p, const struct core_thread_info *t);

/* fill_psinfo. */
void core_notes_prpsinfo_fill(prpsinfo_t *ps, const struct core_process_info *p);

/*
 * NT_FILE's descriptor (fill_files_note): count, page size, then (start,
 * end, offset in pages) per file mapping, then the NUL-terminated paths
 * (" (deleted)" kept, as the kernel's d_path gives it).
 */
int core_notes_file_build(const struct map_list *maps, size_t page_size, uint8_t **out, size_t *len);

/* The auxv up to and including AT_NULL (the kernel writes no more). */
size_t core_notes_auxv_length(const uint8_t *auxv, size_t len);

/* Appends every kernel note in the kernel's order.  threads[0] is written first. */
int core_notes_build(struct note_buf *b, const struct core_process_info *p, const struct core_thread_info *threads,
                     size_t nthreads);

#endif
