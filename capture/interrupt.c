/* Implementation of interrupt.h: blocked signals, polled and waited for. */
#include "interrupt.h"

#include <errno.h>
#include <string.h>
#include <time.h>

static void interrupt_set(sigset_t *s)
{
        sigemptyset(s);
        sigaddset(s, SIGINT);
        sigaddset(s, SIGTERM);
        sigaddset(s, SIGHUP);
}

int interrupt_block_early(void)
{
        sigset_t block;

        interrupt_set(&block);
        return sigprocmask(SIG_BLOCK, &block, NULL) < 0 ? -errno : 0;
}

int interrupt_guard_begin(struct interrupt_guard *g)
{
        sigset_t block;

        memset(g, 0, sizeof(*g));
        /*
         * kernel/signal.c do_notify_parent_cldstop sends no SIGCHLD when the
         * tracer ignores it, and SIG_IGN survives exec from our parent.
         */
        struct sigaction dfl = { .sa_handler = SIG_DFL };
        sigemptyset(&dfl.sa_mask);
        if (sigaction(SIGCHLD, &dfl, &g->old_chld) < 0)
                return -errno;

        interrupt_set(&block);
        sigaddset(&block, SIGCHLD);
        if (sigprocmask(SIG_BLOCK, &block, &g->old_mask) < 0) {
                int r = -errno;
                sigaction(SIGCHLD, &g->old_chld, NULL);
                return r;
        }
        g->active = true;
        return 0;
}

bool interrupt_check(struct interrupt_guard *g)
{
        sigset_t set;
        const struct timespec zero = { 0, 0 };

        if (g->signal || !g->active)
                return g->signal != 0;
        interrupt_set(&set);
        int sig = sigtimedwait(&set, NULL, &zero);
        if (sig > 0)
                g->signal = sig;
        return g->signal != 0;
}

int interrupt_wait_child_only(struct interrupt_guard *g, int timeout_ms)
{
        sigset_t set;
        struct timespec ts = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L };

        (void)g;
        sigemptyset(&set);
        sigaddset(&set, SIGCHLD);
        for (;;) {
                if (sigtimedwait(&set, NULL, &ts) == SIGCHLD)
                        return 1;
                if (errno != EINTR)
                        return 0;
        }
}

int interrupt_wait_child(struct interrupt_guard *g, int timeout_ms)
{
        sigset_t set;
        struct timespec ts = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L };

        if (interrupt_check(g))
                return -EINTR;
        interrupt_set(&set);
        sigaddset(&set, SIGCHLD);
        for (;;) {
                int sig = sigtimedwait(&set, NULL, &ts);
                if (sig == SIGCHLD)
                        return 1;
                if (sig > 0) {
                        g->signal = sig;
                        return -EINTR;
                }
                if (errno == EAGAIN)
                        return 0;
                if (errno != EINTR)
                        return 0;
        }
}

const char *interrupt_signal_name(int sig)
{
        switch (sig) {
        case SIGINT: return "SIGINT";
        case SIGTERM: return "SIGTERM";
        case SIGHUP: return "SIGHUP";
        default: return "a signal";
        }
}

void interrupt_guard_end(struct interrupt_guard *g)
{
        if (!g->active)
                return;
        /*
         * Take what is still pending before unblocking: a SIGCHLD left by our
         * tracees would fire later, and a SIGINT that came after the last
         * check would kill memsnap on the spot, before its caller's cleanup.
         */
        sigset_t set;
        const struct timespec zero = { 0, 0 };
        interrupt_set(&set);
        /*
         * One the caller itself blocks (snap, watch: their own guard is the
         * whole run) stays pending for it, unless this capture was
         * interrupted already: it then stops the caller's snapshot after
         * the capture succeeded, instead of vanishing with the guard.
         */
        if (!g->signal)
                for (int sig = 1; sig < NSIG; sig++)
                        if (sigismember(&set, sig) == 1 && sigismember(&g->old_mask, sig) == 1)
                                sigdelset(&set, sig);
        sigaddset(&set, SIGCHLD);
        for (int sig; (sig = sigtimedwait(&set, NULL, &zero)) > 0;)
                if (sig != SIGCHLD && !g->signal)
                        g->signal = sig;
        /*
         * Once interrupted, memsnap is on its way out: a second SIGTERM in
         * the moment between here and exit (long under ASan) would turn
         * the exit 1 just announced into death by signal.  The interrupting
         * signals stay blocked; what comes now is dropped with the process.
         */
        sigset_t keep = g->old_mask;
        if (g->signal) {
                sigaddset(&keep, SIGINT);
                sigaddset(&keep, SIGTERM);
                sigaddset(&keep, SIGHUP);
        }
        sigprocmask(SIG_SETMASK, &keep, NULL);
        /*
         * A caller that blocks the signal itself (snap, watch) gets it back,
         * pending, to end its own work with: the capture took it only to
         * stop in time.  Still blocked, it cannot kill us on the way out.
         */
        if (g->signal && sigismember(&g->old_mask, g->signal) == 1)
                raise(g->signal);
        sigaction(SIGCHLD, &g->old_chld, NULL);
        g->active = false;
}
