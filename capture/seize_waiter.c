/* Implementation of seize_waiter.h: SIGALRM, waitpid(WNOHANG), a list of statuses. */
#include "seize_waiter.h"

#include <errno.h>
#include <string.h>
#include <sys/wait.h>

/*
 * What the handler took.  A signal handler reaches no context struct, so
 * this lives at file scope; it is written only by the handler while the
 * timer is armed, read and reset only while it is not.
 */
static struct wait_status taken[SEIZE_WAITER_MAX];
static volatile sig_atomic_t ntaken;

static void take_statuses(int sig)
{
        int saved = errno;

        (void)sig;
        while (ntaken < SEIZE_WAITER_MAX) {
                int status;
                pid_t tid = waitpid(-1, &status, __WALL | WNOHANG);
                if (tid <= 0)
                        break;
                taken[ntaken] = (struct wait_status){ tid, status };
                ntaken = ntaken + 1;
        }
        errno = saved;
}

int seize_waiter_begin(struct seize_waiter *w)
{
        struct sigaction sa = { .sa_handler = take_statuses, .sa_flags = SA_RESTART };
        const struct itimerval every = {
                .it_interval = { 0, SEIZE_WAITER_PERIOD_US }, .it_value = { 0, SEIZE_WAITER_PERIOD_US },
        };

        memset(w, 0, sizeof(*w));
        ntaken = 0;
        sigemptyset(&sa.sa_mask);
        if (sigaction(SIGALRM, &sa, &w->old_action) < 0)
                return -errno;
        if (setitimer(ITIMER_REAL, &every, &w->old_timer) < 0) {
                int err = -errno;
                sigaction(SIGALRM, &w->old_action, NULL);
                return err;
        }
        w->armed = true;
        return 0;
}

size_t seize_waiter_end(struct seize_waiter *w, struct wait_status *out)
{
        if (!w->armed)
                return 0;
        /* A SIGALRM already due is delivered on the way out of setitimer, to our handler. */
        setitimer(ITIMER_REAL, &w->old_timer, NULL);
        sigaction(SIGALRM, &w->old_action, NULL);
        w->armed = false;

        size_t n = (size_t)ntaken;
        memcpy(out, taken, n * sizeof(*out));
        ntaken = 0;
        return n;
}
