/*
 * fork_sidefx: a process that can tell whether a capture touched it.  It
 * counts the SIGCHLDs it gets, lists its children as the kernel does, and
 * holds what a fork could disturb: a pipe, a socket pair, a flock on a
 * file, and a POSIX timer ticking every 50 ms.  Each check below is the
 * kernel's answer to the process itself.
 *
 * Commands (besides sample_io.h's):
 *   open        pipe, socket pair, flock on ./fork_sidefx.lock, timer
 *   close       closes the pipe's and the socket pair's write ends and the
 *               locked descriptor, then asks the kernel whether anyone else
 *               holds them: "pipe eof|open", "socket eof|open" (a read
 *               that sees end of file only when no other writer is left),
 *               "lock free|held" (a new flock LOCK_NB on the file)
 *   report      "sigchld N", "children N" (/proc/self/task/<*>/children),
 *               "wait none|PID" (waitpid(-1, WNOHANG): what a plain wait
 *               finds), "timer alive|dead" (a tick within 10 s)
 *   wall        "wall none|PID": waitpid(-1, WNOHANG | __WALL), which would
 *               collect even a child whose exit signal is not SIGCHLD
 *   forkhold    fork() a child that holds copies of every descriptor and
 *               pauses: "forked PID" (the control: close then says "open")
 *   regions     maps three regions of 4 pages a fork does not copy as they
 *               are, each filled with one letter: MAP_SHARED anonymous
 *               ('S'), MADV_DONTFORK ('D'), MADV_WIPEONFORK ('W');
 *               "shared ADDR", "dontfork ADDR", "wipeonfork ADDR"
 *   scribble    fills the shared region with 'X': "scribble done"
 *   nap MS      sleeps MS milliseconds in clock_nanosleep, in this thread:
 *               "nap rc=R elapsed=MS" (R 0, or the errno); a capture that
 *               injects into it must neither end nor lengthen the sleep
 *   ppollnap MS the same in ppoll with a signal mask (a system call a
 *               capture may not inject into): "ppollnap rc=R elapsed=MS"
 */
#include <dirent.h>
#include <poll.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "samples/sample_io.h"

static volatile sig_atomic_t sigchld_count, ticks;
static int pipefd[2] = { -1, -1 }, sockfd[2] = { -1, -1 }, lockfd = -1;
static timer_t timer;
static char *shared_region;
#define REGION_BYTES (4 * 4096)
static int have_timer;

static void on_sigchld(int sig)
{
        (void)sig;
        sigchld_count++;
}

static void on_tick(int sig)
{
        (void)sig;
        ticks++;
}

static void do_open(void)
{
        if (pipe(pipefd) < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sockfd) < 0) {
                say("error pipe or socket: %s", strerror(errno));
                return;
        }
        lockfd = open("fork_sidefx.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (lockfd < 0 || flock(lockfd, LOCK_EX) < 0) {
                say("error lock: %s", strerror(errno));
                return;
        }
        struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR2 };
        struct itimerspec its = { { 0, 50000000 }, { 0, 50000000 } };
        if (timer_create(CLOCK_MONOTONIC, &sev, &timer) < 0 || timer_settime(timer, 0, &its, NULL) < 0) {
                say("error timer: %s", strerror(errno));
                return;
        }
        have_timer = 1;
        say("opened");
}

static void do_close(void)
{
        char c;
        close(pipefd[1]);
        fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
        ssize_t r = read(pipefd[0], &c, 1);
        say("pipe %s", r == 0 ? "eof" : "open");
        close(sockfd[1]);
        r = recv(sockfd[0], &c, 1, MSG_DONTWAIT);
        say("socket %s", r == 0 ? "eof" : "open");
        close(lockfd);
        int fd = open("fork_sidefx.lock", O_RDWR | O_CLOEXEC);
        int free_now = fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0;
        if (fd >= 0)
                close(fd);
        say("lock %s", free_now ? "free" : "held");
}

static int count_children(void)
{
        DIR *d = opendir("/proc/self/task");
        int n = 0;
        struct dirent *de;
        while (d && (de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                char path[300];
                snprintf(path, sizeof(path), "/proc/self/task/%s/children", de->d_name);
                int fd = open(path, O_RDONLY | O_CLOEXEC);
                char buf[4096];
                ssize_t len = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : 0;
                if (fd >= 0)
                        close(fd);
                for (ssize_t i = 0; i < len; i++)
                        if (buf[i] == ' ')
                                n++; /* fs/proc/array.c children_seq_show: "PID " each */
        }
        if (d)
                closedir(d);
        return n;
}

static void do_report(void)
{
        say("sigchld %d", (int)sigchld_count);
        say("children %d", count_children());
        pid_t w = waitpid(-1, NULL, WNOHANG);
        if (w > 0)
                say("wait %d", (int)w);
        else
                say("wait none");
        if (!have_timer) {
                say("timer none");
                return;
        }
        struct itimerspec cur;
        int before = ticks, alive = 0;
        struct timespec t0, t;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        do {
                if (ticks != before && timer_gettime(timer, &cur) == 0) {
                        alive = 1;
                        break;
                }
                clock_gettime(CLOCK_MONOTONIC, &t);
        } while (t.tv_sec - t0.tv_sec < 10);
        say("timer %s", alive ? "alive" : "dead");
}

/* A private or shared anonymous region of 'letter's, with madvise advice unless 0. */
static char *region(int flags, int advice, char letter)
{
        char *p = mmap(NULL, REGION_BYTES, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED || (advice && madvise(p, REGION_BYTES, advice) < 0)) {
                say("error region %c: %s", letter, strerror(errno));
                return NULL;
        }
        memset(p, letter, REGION_BYTES);
        return p;
}

static void do_regions(void)
{
        shared_region = region(MAP_SHARED, 0, 'S');
        char *d = region(MAP_PRIVATE, MADV_DONTFORK, 'D');
        char *w = region(MAP_PRIVATE, MADV_WIPEONFORK, 'W');
        say("shared %p", (void *)shared_region);
        say("dontfork %p", (void *)d);
        say("wipeonfork %p", (void *)w);
}

static long elapsed_ms(const struct timespec *t0)
{
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static void do_nap(const char *cmd, bool with_ppoll)
{
        long ms = strtol(cmd, NULL, 10);
        struct timespec req = { ms / 1000, (ms % 1000) * 1000000 }, t0;
        sigset_t mask;
        sigemptyset(&mask);
        say("napping");
        clock_gettime(CLOCK_MONOTONIC, &t0);
        int rc = with_ppoll ? (ppoll(NULL, 0, &req, &mask) < 0 ? errno : 0)
                            : clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL);
        say("%s rc=%d elapsed=%ld", with_ppoll ? "ppollnap" : "nap", rc, elapsed_ms(&t0));
}

static bool handle(const char *cmd, void *data)
{
        (void)data;
        if (strcmp(cmd, "signal") == 0)
                return true;
        if (strcmp(cmd, "open") == 0)
                do_open();
        else if (strcmp(cmd, "close") == 0)
                do_close();
        else if (strcmp(cmd, "report") == 0)
                do_report();
        else if (strncmp(cmd, "nap ", 4) == 0)
                do_nap(cmd + 4, false);
        else if (strncmp(cmd, "ppollnap ", 9) == 0)
                do_nap(cmd + 9, true);
        else if (strcmp(cmd, "regions") == 0)
                do_regions();
        else if (strcmp(cmd, "scribble") == 0) {
                if (shared_region)
                        memset(shared_region, 'X', REGION_BYTES);
                say("scribble done");
        }
        else if (strcmp(cmd, "wall") == 0) {
                pid_t w = waitpid(-1, NULL, WNOHANG | __WALL);
                if (w > 0)
                        say("wall %d", (int)w);
                else
                        say("wall none");
        } else if (strcmp(cmd, "forkhold") == 0) {
                pid_t p = fork();
                if (p == 0) {
                        for (;;)
                                pause();
                }
                say("forked %d", (int)p);
        } else
                return false;
        return true;
}

int main(void)
{
        struct sigaction sa = { .sa_handler = on_sigchld, .sa_flags = SA_RESTART };
        sigaction(SIGCHLD, &sa, NULL);
        sa.sa_handler = on_tick;
        sigaction(SIGUSR2, &sa, NULL);
        say("pid %d", (int)getpid());
        say("ready");
        sample_serve(handle, NULL);
        return 0;
}
