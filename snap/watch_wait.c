/* Implementation of watch_wait.h: poll(2) on a signalfd and a pidfd. */
#include "watch_wait.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <signal.h>
#include <sys/pidfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "common/log.h"

int watch_wait_open(struct watch_wait *w, pid_t pid)
{
        sigset_t set;

        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGHUP);
        w->signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
        if (w->signal_fd < 0)
                return log_error_errno(errno, "cannot wait for signals: %m");
        w->pid_fd = pidfd_open(pid, 0);
        if (w->pid_fd < 0) {
                if (errno == ESRCH)
                        return log_error_errno(ESRCH, "no process has pid %d", (int)pid);
                return log_error_errno(errno, "cannot watch process %d: pidfd_open: %m", (int)pid);
        }
        return 0;
}

static int timeout_ms(const struct timespec *deadline)
{
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        int64_t ms = (int64_t)(deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
        /* rounded up: woken a little late rather than early and polled again at once */
        if ((deadline->tv_nsec - now.tv_nsec) % 1000000 > 0)
                ms++;
        return ms <= 0 ? 0 : ms > INT32_MAX ? INT32_MAX : (int)ms;
}

int watch_wait_until(struct watch_wait *w, const struct timespec *deadline, int *sig)
{
        for (;;) {
                struct pollfd fds[] = { { .fd = w->signal_fd, .events = POLLIN }, { .fd = w->pid_fd, .events = POLLIN } };
                int n = poll(fds, 2, timeout_ms(deadline));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return log_error_errno(errno, "cannot wait for the next snapshot: poll: %m");
                if (fds[0].revents & POLLIN) {
                        struct signalfd_siginfo si;
                        ssize_t got = read(w->signal_fd, &si, sizeof(si));
                        if (got == (ssize_t)sizeof(si)) {
                                *sig = (int)si.ssi_signo;
                                return WATCH_WAIT_SIGNAL;
                        }
                }
                if (fds[1].revents & (POLLIN | POLLHUP))
                        return WATCH_WAIT_EXITED;
                /* poll may end a little early: only the deadline itself ends the wait */
                if (n == 0 && timeout_ms(deadline) == 0)
                        return WATCH_WAIT_DUE;
        }
}

void watch_wait_close(struct watch_wait *w)
{
        if (w->signal_fd >= 0)
                close(w->signal_fd);
        if (w->pid_fd >= 0)
                close(w->pid_fd);
        *w = (struct watch_wait)WATCH_WAIT_INIT;
}
