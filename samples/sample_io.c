/* Implementation of sample_io.h. */
#include "sample_io.h"

#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

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

void sample_serve(bool (*handle)(const char *cmd, void *data), void *data)
{
        char cmd[256];
        unsigned long pongs = 0;

        while (read_command(cmd, sizeof(cmd))) {
                if (strcmp(cmd, "ping") == 0)
                        say("pong %lu", ++pongs);
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
