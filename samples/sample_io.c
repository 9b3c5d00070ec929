/* Implementation of sample_io.h. */
#include "sample_io.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* How many more execs an "exec N" owes: passed from one image to the next. */
#define EXECS_LEFT_ENV "MEMSNAP_SAMPLE_EXECS_LEFT"

void say(const char *fmt, ...)
{
        char buf[1024];
        va_list ap;

        va_start(ap, fmt);
        int n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
        va_end(ap);
        if (n < 0)
                return;
        if ((size_t)n > sizeof(buf) - 2)
                n = sizeof(buf) - 2;
        buf[n++] = '\n';
        for (size_t off = 0; off < (size_t)n;) {
                ssize_t w = write(STDOUT_FILENO, buf + off, (size_t)n - off);
                if (w <= 0)
                        return;
                off += (size_t)w;
        }
}

void say_mallinfo2(void)
{
        struct mallinfo2 mi = mallinfo2();

        say("mallinfo2 arena=%zu ordblks=%zu smblks=%zu hblks=%zu hblkhd=%zu usmblks=%zu "
            "fsmblks=%zu uordblks=%zu fordblks=%zu keepcost=%zu",
            mi.arena, mi.ordblks, mi.smblks, mi.hblks, mi.hblkhd, mi.usmblks, mi.fsmblks,
            mi.uordblks, mi.fordblks, mi.keepcost);
}

int sample_gettid(void) { return (int)syscall(SYS_gettid); }

/*
 * Reads one line from fd 0 into buf without stdio; false at end of input.
 * A signal that interrupts the read yields the command "signal".
 */
static __attribute__((noinline)) bool read_command(char *buf, size_t size)
{
        size_t n = 0;
        for (;;) {
                char c;
                ssize_t r = read(STDIN_FILENO, &c, 1);
                if (r < 0 && errno == EINTR && n == 0) {
                        strcpy(buf, "signal");
                        return true;
                }
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        return false;
                if (c == '\n')
                        break;
                if (n + 1 < size)
                        buf[n++] = c;
        }
        buf[n] = '\0';
        return true;
}

/*
 * What the new image is run with.  On exec_again's stack, not static: the
 * samples' memory picture (their .bss, which tests compare) stays what it
 * was without this command.
 */
struct exec_args {
        char path[4096];
        char *argv[512];
        char cmdline[16384];
};

/*
 * Not from the main thread: the kernel then has to retire the main thread
 * and give its id to this one (fs/exec.c de_thread), which a tracer sees as
 * a thread vanishing without an exit status, the hardest exec to follow.
 */
static void *exec_thread(void *arg)
{
        struct exec_args *x = arg;
        execv(x->path, x->argv);
        say("error exec: %s", strerror(errno));
        return NULL;
}

/* Runs this program again in this process, with the arguments it was started with. */
static void exec_again(unsigned left)
{
        struct exec_args x;
        char count[16];

        int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
        ssize_t n = fd < 0 ? -1 : read(fd, x.cmdline, sizeof(x.cmdline) - 1);
        if (fd >= 0)
                close(fd);
        if (n <= 0) {
                say("error exec: cannot read /proc/self/cmdline");
                return;
        }
        x.cmdline[n] = '\0';
        size_t argc = 0;
        for (char *p = x.cmdline; p < x.cmdline + n && argc + 1 < sizeof(x.argv) / sizeof(x.argv[0]); p += strlen(p) + 1)
                x.argv[argc++] = p;
        x.argv[argc] = NULL;
        /* By its path, not /proc/self/exe: the new image keeps the program's name (comm). */
        ssize_t plen = readlink("/proc/self/exe", x.path, sizeof(x.path) - 1);
        if (plen <= 0 || (size_t)plen >= sizeof(x.path) - 1) {
                say("error exec: cannot read /proc/self/exe");
                return;
        }
        x.path[plen] = '\0';
        snprintf(count, sizeof(count), "%u", left);
        setenv(EXECS_LEFT_ENV, count, 1);
        pthread_t t;
        if (pthread_create(&t, NULL, exec_thread, &x) == 0)
                pthread_join(t, NULL); /* returns only if the exec failed */
        else
                exec_thread(&x);
}

void sample_serve(bool (*handle)(const char *cmd, void *data), void *data)
{
        char cmd[256];
        unsigned long pongs = 0;
        unsigned n;

        const char *left = getenv(EXECS_LEFT_ENV);
        if (left) {
                n = (unsigned)strtoul(left, NULL, 10);
                if (n > 0)
                        exec_again(n - 1);
                unsetenv(EXECS_LEFT_ENV);
                say("exec done");
        }
        while (read_command(cmd, sizeof(cmd))) {
                if (strcmp(cmd, "ping") == 0)
                        say("pong %lu", ++pongs);
                else if (sscanf(cmd, "exec %u", &n) == 1 && n > 0)
                        exec_again(n - 1);
                else if (strcmp(cmd, "mallinfo") == 0)
                        say_mallinfo2();
                else if (strcmp(cmd, "quit") == 0)
                        return;
                else if (strcmp(cmd, "signal") == 0) {
                        if (handle)
                                handle(cmd, data);
                }
                else if (!handle || !handle(cmd, data))
                        say("error unknown command '%s'", cmd);
        }
}
