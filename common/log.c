/*
 * Implementation of log.h.  Messages are formatted into one buffer and
 * written with a single write(2), so lines from a signal-time cleanup or a
 * second thread never interleave mid-line.
 */
#include "log.h"
#include "text_escape.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static enum log_level max_level = LOG_LEVEL_INFO;

void log_set_level(enum log_level level) { max_level = level; }

__attribute__((format(printf, 3, 0)))
static void log_emit(const char *tag, int err, const char *fmt, va_list ap)
{
        char buf[4096];
        int n = snprintf(buf, sizeof(buf), "memsnap: %s", tag);

        if (n < 0)
                return;
        /* "%m" in fmt reads errno; make it the error being reported. */
        errno = err;
        int m = vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
        if (m < 0)
                return;
        size_t len = (size_t)n + (size_t)m;
        if (len > sizeof(buf) - 1)
                len = sizeof(buf) - 1;
        /*
         * Messages quote names a target or a core chose (comm, thread names,
         * paths): the whole line is escaped for the terminal, so no such name
         * can carry an escape sequence or a line of its own.
         */
        char out[sizeof(buf) * 2];
        size_t o = text_escape_terminal(out, sizeof(out) - 1, buf, len);
        out[o++] = '\n';
        ssize_t w = write(STDERR_FILENO, out, o);
        (void)w;
}

int log_error_errno(int err, const char *fmt, ...)
{
        va_list ap;

        err = abs(err);
        va_start(ap, fmt);
        log_emit("", err, fmt, ap);
        va_end(ap);
        return -(err ? err : EIO);
}

int log_error(const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        log_emit("", 0, fmt, ap);
        va_end(ap);
        return -EIO;
}

void log_warning(const char *fmt, ...)
{
        va_list ap;

        if (max_level < LOG_LEVEL_WARNING)
                return;
        va_start(ap, fmt);
        log_emit("warning: ", 0, fmt, ap);
        va_end(ap);
}

void log_info(const char *fmt, ...)
{
        va_list ap;

        if (max_level < LOG_LEVEL_INFO)
                return;
        va_start(ap, fmt);
        log_emit("", 0, fmt, ap);
        va_end(ap);
}

void log_debug(const char *fmt, ...)
{
        va_list ap;

        if (max_level < LOG_LEVEL_DEBUG)
                return;
        va_start(ap, fmt);
        log_emit("debug: ", 0, fmt, ap);
        va_end(ap);
}
