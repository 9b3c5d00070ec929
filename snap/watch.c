/* Implementation of watch.h: the loop, its lines and its summary. */
#include "watch.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtin.h"
#include "capture/interrupt.h"
#include "capture/proc_read.h"
#include "capture/test_hold.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/units.h"
#include "watch_compare.h"
#include "watch_wait.h"

/* Why a watch ended. */
enum watch_end { WATCH_END_COUNT, WATCH_END_EXITED, WATCH_END_SIGNAL, WATCH_END_FAILED };

struct watch {
        const struct watch_options *o;
        struct watch_wait wait;
        struct test_hold hold;        /* test-only: "snapshot" holds before each one (capture/test_hold.h) */
        char comm[64];
        unsigned taken;
        char first_stamp[24], last_stamp[24];
        char **dbs;                   /* databases kept, oldest first; dbs[0] the baseline */
        size_t ndbs;
        struct watch_compare since_first; /* the last snapshot against the baseline */
        enum watch_end end;
        int signal;
};

static void watch_done(struct watch *w)
{
        watch_wait_close(&w->wait);
        test_hold_free(&w->hold);
        for (size_t i = 0; i < w->ndbs; i++)
                free(w->dbs[i]);
        free(w->dbs);
}

/* "+1.2 MiB", "-4.0 KiB" */
static const char *signed_bytes(char buf[UNITS_BUF_MAX + 1], int64_t v)
{
        buf[0] = v < 0 ? '-' : '+';
        units_format_bytes(buf + 1, v < 0 ? (uint64_t)-v : (uint64_t)v);
        return buf;
}

static void print_line(const struct watch *w, const struct snap_result *res, const struct watch_compare *prev,
                       const struct watch_compare *first)
{
        char rss[UNITS_BUF_MAX], used[UNITS_BUF_MAX], b1[UNITS_BUF_MAX], b2[UNITS_BUF_MAX];
        char g1[UNITS_BUF_MAX + 1], g2[UNITS_BUF_MAX + 1];

        printf("%u %s paused %.1f ms, RSS %s, used heap %s; new definite leaks %zu (%s) since the previous, %zu (%s) "
               "since the first; growth %s since the previous, %s since the first: %s\n",
               w->taken, res->stamp, res->pause_ms,
               res->rss_kb >= 0 ? units_format_bytes(rss, (uint64_t)res->rss_kb * 1024) : "unknown",
               units_format_bytes(used, res->used_bytes), prev->new_leaks, units_format_bytes(b1, prev->new_leak_bytes),
               first->new_leaks, units_format_bytes(b2, first->new_leak_bytes), signed_bytes(g1, prev->growth_bytes),
               signed_bytes(g2, first->growth_bytes), res->db_path);
        fflush(stdout);
}

/* The oldest databases but the baseline go, until at most --keep are left. */
static void prune(struct watch *w)
{
        while (w->o->keep > 0 && w->ndbs > w->o->keep && w->ndbs > 1) {
                if (unlink(w->dbs[1]) < 0 && errno != ENOENT)
                        log_warning("cannot remove the old snapshot '%s': %s", w->dbs[1], strerror(errno));
                free(w->dbs[1]);
                memmove(&w->dbs[1], &w->dbs[2], (w->ndbs - 2) * sizeof(w->dbs[0]));
                w->ndbs--;
        }
}

/* One snapshot, compared and printed: 0, or -EINTR (discarded, interrupted), -ESRCH (the target gone), -errno. */
static int take_one(struct watch *w)
{
        struct snap_result res;
        int r = snap_take(&w->o->snap, &res);
        if (r < 0)
                return r;
        char **grown = realloc(w->dbs, (w->ndbs + 1) * sizeof(w->dbs[0]));
        if (!grown) {
                snap_result_free(&res);
                return log_error_errno(ENOMEM, "cannot go on watching: %m");
        }
        w->dbs = grown;
        w->dbs[w->ndbs++] = TAKE_PTR(res.db_path);
        free(res.core_path);
        res.db_path = w->dbs[w->ndbs - 1];
        w->taken++;
        if (w->taken == 1)
                memcpy(w->first_stamp, res.stamp, sizeof(w->first_stamp));
        memcpy(w->last_stamp, res.stamp, sizeof(w->last_stamp));

        struct watch_compare prev = { 0 }, first = { 0 };
        if (w->ndbs > 1) {
                if ((r = watch_compare_dbs(w->dbs[w->ndbs - 2], res.db_path, &prev)) < 0 ||
                    (r = watch_compare_dbs(w->dbs[0], res.db_path, &first)) < 0)
                        return r;
        }
        w->since_first = first;
        print_line(w, &res, &prev, &first);
        prune(w);
        return 0;
}

/* Where the target is before the next snapshot: 0 to go on, 1 to end (w->end says why), -errno. */
static int look(struct watch *w, const struct timespec *deadline)
{
        int r = watch_wait_until(&w->wait, deadline, &w->signal);
        if (r == WATCH_WAIT_SIGNAL)
                w->end = WATCH_END_SIGNAL;
        else if (r == WATCH_WAIT_EXITED)
                w->end = WATCH_END_EXITED;
        return r < 0 ? r : r == WATCH_WAIT_DUE ? 0 : 1;
}

static int watch_loop(struct watch *w)
{
        struct timespec next;
        clock_gettime(CLOCK_MONOTONIC, &next);
        for (;;) {
                int r = look(w, &next);
                if (r != 0)
                        return r;
                test_hold_at(&w->hold, "snapshot");
                struct timespec now;
                clock_gettime(CLOCK_MONOTONIC, &now);
                /* after the hold, a look without waiting: a test ends the target or signals us there */
                if ((r = look(w, &now)) != 0)
                        return r;
                next = now;
                next.tv_sec += (time_t)(w->o->every_ms / 1000);
                next.tv_nsec += (long)(w->o->every_ms % 1000) * 1000000L;
                if (next.tv_nsec >= 1000000000L) {
                        next.tv_sec++;
                        next.tv_nsec -= 1000000000L;
                }
                r = take_one(w);
                if (r == -EINTR) {
                        /* discarded; the signal is pending still (capture/interrupt.h), read here */
                        struct timespec zero = { 0, 0 };
                        if (watch_wait_until(&w->wait, &zero, &w->signal) != WATCH_WAIT_SIGNAL)
                                w->signal = 0;
                        w->end = WATCH_END_SIGNAL;
                        return 1;
                }
                if (r < 0) {
                        /* a capture that failed because the target ended is the end of the watch, not a failure */
                        struct timespec zero = { 0, 0 };
                        int s = watch_wait_until(&w->wait, &zero, &w->signal);
                        if (s == WATCH_WAIT_EXITED) {
                                w->end = WATCH_END_EXITED;
                                return 1;
                        }
                        return r;
                }
                if (w->o->count > 0 && w->taken >= w->o->count) {
                        w->end = WATCH_END_COUNT;
                        return 1;
                }
        }
}

static void print_summary(const struct watch *w)
{
        char why[96], bytes[UNITS_BUF_MAX], growth[UNITS_BUF_MAX + 1];

        switch (w->end) {
        case WATCH_END_COUNT: snprintf(why, sizeof(why), "%u snapshots taken, as asked", w->taken); break;
        case WATCH_END_EXITED: snprintf(why, sizeof(why), "the process exited"); break;
        case WATCH_END_SIGNAL: snprintf(why, sizeof(why), "interrupted by %s", interrupt_signal_name(w->signal)); break;
        case WATCH_END_FAILED: snprintf(why, sizeof(why), "a snapshot failed"); break;
        }
        printf("watch of process %d (%s) ended: %s\n", (int)w->o->snap.capture.pid, w->comm, why);
        if (w->taken == 0) {
                printf("no snapshot was taken\n");
                return;
        }
        printf("%u snapshot%s from %s to %s; since the first: %zu new definite leak%s (%s), used heap %s; "
               "%zu database%s kept (the first, the baseline, always)\n",
               w->taken, w->taken == 1 ? "" : "s", w->first_stamp, w->last_stamp, w->since_first.new_leaks,
               w->since_first.new_leaks == 1 ? "" : "s", units_format_bytes(bytes, w->since_first.new_leak_bytes),
               signed_bytes(growth, w->since_first.growth_bytes), w->ndbs, w->ndbs == 1 ? "" : "s");
        for (size_t i = 0; i < w->ndbs; i++)
                printf("  %s\n", w->dbs[i]);
}

int watch_run(const struct watch_options *o)
{
        _cleanup_(watch_done) struct watch w = { .o = o, .wait = WATCH_WAIT_INIT, .hold = TEST_HOLD_INIT };
        pid_t pid = o->snap.capture.pid;

        if (test_hold_init(&w.hold) < 0)
                return EXIT_FAIL;
        int r = watch_wait_open(&w.wait, pid);
        if (r < 0)
                return EXIT_FAIL;
        proc_read_comm(pid, w.comm, sizeof(w.comm));
        r = watch_loop(&w);
        if (r < 0)
                w.end = WATCH_END_FAILED;
        print_summary(&w);
        if (r < 0)
                return EXIT_FAIL;
        return o->fail_on_leak && w.since_first.new_leaks > 0 ? EXIT_LEAK : EXIT_OK;
}
