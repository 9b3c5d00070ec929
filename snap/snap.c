/* Implementation of snap.h: capture, analyze, drop the core. */
#include "snap.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analyze/analysis.h"
#include "analyze/stages.h"
#include "capture/interrupt.h"
#include "capture/proc_read.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/stack_frames.h"
#include "snap_name.h"

/* True when SIGINT, SIGTERM or SIGHUP is pending (blocked, not taken); *sig says which. */
static bool interrupt_pending(int *sig)
{
        sigset_t pending;
        static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };

        if (sigpending(&pending) < 0)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(sigs); i++)
                if (sigismember(&pending, sigs[i]) == 1) {
                        if (sig)
                                *sig = sigs[i];
                        return true;
                }
        return false;
}

/* How many seconds a snapshot waits for a name of its own before it gives up. */
#define SNAP_NAME_TRIES 2

/* "snapshot of process 1234 interrupted by SIGINT: nothing was written" */
static int interrupted(pid_t pid, const char *what)
{
        int sig = 0;
        interrupt_pending(&sig);
        return log_error_errno(EINTR, "snapshot of process %d interrupted by %s: %s", (int)pid,
                               interrupt_signal_name(sig), what);
}

static void used_heap(const struct analysis *a, struct snap_result *res)
{
        for (size_t i = 0; i < a->heap.nchunks; i++)
                if (a->heap.chunks[i].state == CHUNK_USED) {
                        res->used_blocks++;
                        res->used_bytes += a->heap.chunks[i].size;
                }
}

/* The core into a database at db_path; the database whole, or nothing. */
static int analyze_core(const char *core_path, const char *db_path, bool quiet, pid_t pid, struct snap_result *res)
{
        _cleanup_(analysis_free) struct analysis a = ANALYSIS_INIT;

        a.opt.core_path = core_path;
        a.opt.db_path = db_path;
        a.opt.max_frames = STACK_FRAMES_DEFAULT;
        a.opt.max_segments = SEGMENTS_DEFAULT;
        a.opt.quiet = quiet;
        int r = db_write_open(&a);
        if (r < 0)
                return r;
        r = analysis_run(&a, STAGE_EXPLAIN);
        if (r < 0)
                return r;
        /* The last moment an interruption can still keep the database from being written. */
        if (interrupt_pending(NULL))
                return interrupted(pid, "the core was analyzed, no database was written");
        r = db_write(&a);
        if (r < 0)
                return r;
        res->pause_ms = a.snap.pause_ms;
        res->rss_kb = a.snap.vm_rss_kb;
        used_heap(&a, res);
        return 0;
}

static int path_join(char **out, const char *dir, const char *base, const char *ext)
{
        if (asprintf(out, "%s/%s%s", dir, base, ext) < 0) {
                *out = NULL;
                return log_error_errno(ENOMEM, "cannot name the snapshot: %m");
        }
        return 0;
}

int snap_take(const struct snap_options *o, struct snap_result *res)
{
        const char *dir = o->dir ? o->dir : ".";
        pid_t pid = o->capture.pid;
        char comm[64], base[SNAP_NAME_MAX];
        _cleanup_free_ char *core = NULL, *db = NULL;
        struct tm tm;

        *res = (struct snap_result){ .pause_ms = -1, .rss_kb = -1 };
        if (access(dir, W_OK | X_OK) < 0)
                return log_error_errno(errno, "cannot write snapshots into '%s': %m", dir);
        proc_read_comm(pid, comm, sizeof(comm));
        /*
         * Refused before the target is touched: a capture for a database
         * that cannot be written is a pause for nothing.  Names have whole
         * seconds: a second snapshot within one waits for the next.
         */
        for (int tries = 0;; tries++) {
                time_t now = time(NULL);
                snap_name_format(base, comm, pid, now);
                if (gmtime_r(&now, &tm))
                        strftime(res->stamp, sizeof(res->stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
                free(core);
                free(db);
                core = db = NULL;
                int r = path_join(&core, dir, base, ".core");
                if (r == 0)
                        r = path_join(&db, dir, base, ".db");
                if (r < 0)
                        return r;
                if (access(db, F_OK) < 0 && access(core, F_OK) < 0)
                        break;
                if (tries == SNAP_NAME_TRIES)
                        return log_error_errno(EEXIST, "cannot write snapshot '%s': it exists", db);
                struct timespec next = { .tv_sec = now + 1 };
                while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &next, NULL) == EINTR)
                        ;
        }

        struct capture_options co = o->capture;
        co.output = core;
        co.quiet = co.quiet || o->quiet;
        int r = capture_run(&co);
        if (r < 0)
                return r;
        if (interrupt_pending(NULL)) {
                r = interrupted(pid, o->keep_core ? "the core is kept, no database was written"
                                                  : "the core was removed, no database was written");
        } else {
                r = analyze_core(core, db, o->quiet, pid, res);
        }
        if (!o->keep_core && unlink(core) < 0 && errno != ENOENT && r == 0)
                log_warning("cannot remove the core '%s': %s", core, strerror(errno));
        if (r < 0)
                return r;
        res->db_path = TAKE_PTR(db);
        if (o->keep_core)
                res->core_path = TAKE_PTR(core);
        return 0;
}

void snap_result_free(struct snap_result *res)
{
        free(res->db_path);
        free(res->core_path);
        res->db_path = res->core_path = NULL;
}
