/*
 * `memsnap stacks PID`: every thread's backtrace of a running process,
 * printed as `eu-stack -p PID` prints it.  The process is stopped
 * (ptrace_stop.c) only while libunwind walks the stacks (live_stacks.c);
 * the printing happens after it runs again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/options.h"
#include "common/proc_maps.h"
#include "common/units.h"
#include "interrupt.h"
#include "live_stacks.h"
#include "own_vdso.h"
#include "pid_operand.h"
#include "proc_read.h"
#include "ptrace_stop.h"
#include "target_check.h"

static const char stacks_about[] =
        "Print the backtrace of every thread of a running process, as\n"
        "`eu-stack -p PID` does: \"PID N - process\", then per thread \"TID N:\" and\n"
        "its frames \"#0  0x00007f... function\", innermost first (C++ names\n"
        "demangled).  The process is stopped only while the stacks are unwound\n"
        "(libunwind), then runs on.\n";

struct stacks_job {
        struct target_check target;
        struct interrupt_guard intr;
        struct ptrace_stop stop;
        struct map_list maps;
        struct live_stacks stacks;
};

static void stacks_job_done(struct stacks_job *j)
{
        ptrace_stop_done(&j->stop);
        interrupt_guard_end(&j->intr);
        live_stacks_free(&j->stacks);
        map_list_free(&j->maps);
        target_check_close(&j->target);
}

static int unwind(struct stacks_job *j, unsigned max_frames, double *pause_ms)
{
        pid_t pid = j->target.pid;
        int r = ptrace_stop_all(&j->stop, pid, j->target.proc_fd, &j->intr);
        if (r < 0)
                return r;

        size_t n;
        _cleanup_free_ pid_t *tids = ptrace_stop_tids(&j->stop, &n);
        if (!tids)
                return log_error_errno(ENOMEM, "cannot unwind process %d: %m", (int)pid);

        /*
         * Module names come from the maps of this very moment, read through
         * a live thread (a main thread that called pthread_exit has none).
         */
        _cleanup_free_ char *maps = NULL;
        char name[64];
        size_t len, bad = 0;
        snprintf(name, sizeof(name), "task/%d/maps", n ? (int)tids[0] : (int)pid);
        r = proc_read_at(j->target.proc_fd, name, &maps, &len);
        if (r == 0)
                r = proc_maps_parse(maps, len, &j->maps, &bad);
        if (r < 0)
                log_debug("cannot read /proc/%d/%s: %s; frames stay unnamed", (int)pid, name, strerror(-r));
        r = live_stacks_unwind(&j->stacks, tids, n, max_frames);
        ptrace_stop_release(&j->stop);
        *pause_ms = ptrace_stop_pause_ms(&j->stop);
        if (r < 0)
                return log_error_errno(r, "cannot unwind process %d: %m", (int)pid);
        if (interrupt_check(&j->intr))
                return -EINTR;

        const uint8_t *own_vdso;
        size_t own_vdso_len;
        own_vdso_find(&own_vdso, &own_vdso_len);
        live_stacks_symbolize(&j->stacks, pid, &j->maps, own_vdso, own_vdso_len);
        return 0;
}

int cmd_stacks(int argc, char **argv)
{
        unsigned max_frames = LIVE_STACKS_DEFAULT_FRAMES;
        bool modules = false, quiet = false;
        const struct option_spec options[] = {
                OPTION_UNSIGNED('n', "frames", "N", max_frames, 0, 1000000,
                                "at most N frames a thread (default {default}, 0 for no limit); a warning says when "
                                "a stack was cut"),
                OPTION_FLAG('m', "modules", modules, "print the module of each frame: \"function - /path/lib.so\""),
                OPTION_FLAG('q', "quiet", quiet, "print errors only (no \"paused N ms\")"),
        };
        const struct options_command cli = {
                .name = "stacks",
                .usage = "TARGET [-n FRAMES] [-m] [-q]",
                .about = stacks_about,
                .epilogue = "Exit status: 0 printed, 1 failed (the message says why), 2 bad usage.\n",
                .options = options,
                .noptions = ELEMENTSOF(options),
        };

        int first = options_parse(&cli, argc, argv);
        if (first <= 0)
                return first == 0 ? EXIT_OK : EXIT_USAGE;
        if (quiet)
                log_set_level(LOG_LEVEL_ERROR);
        pid_t pid;
        int r = pid_operand_parse("stacks", argc, argv, first, &pid);
        if (r < 0)
                return pid_operand_exit(r);

        _cleanup_(stacks_job_done) struct stacks_job j = { .target = TARGET_CHECK_INIT, .stop = PTRACE_STOP_INIT };
        if (target_check(&j.target, pid) < 0)
                return EXIT_FAIL;
        r = interrupt_guard_begin(&j.intr);
        if (r < 0) {
                log_error_errno(r, "cannot block signals: %m");
                return EXIT_FAIL;
        }
        double pause_ms = 0;
        r = unwind(&j, max_frames, &pause_ms);
        if (r == -EINTR) {
                ptrace_stop_release(&j.stop);
                log_error("stacks of process %d interrupted by %s: it runs on, nothing was printed", (int)j.target.pid,
                          interrupt_signal_name(j.intr.signal));
        }
        if (r < 0)
                return EXIT_FAIL;
        interrupt_guard_end(&j.intr);

        live_stacks_print(&j.stacks, j.target.pid, modules, stdout);
        log_info("paused %.0f ms", pause_ms);
        return EXIT_OK;
}
