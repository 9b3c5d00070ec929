/*
 * Messages for people: errors, warnings, progress notes.  Everything goes to
 * stderr prefixed with "memsnap: ", so stdout stays clean for data.
 *
 * Functions that fail log once, where the reason is known, and return a
 * negative errno: `return log_error_errno(r, "cannot open '%s': %m", p);`
 * — "%m" prints strerror of the errno passed in, not of the global errno.
 */
#ifndef MEMSNAP_LOG_H
#define MEMSNAP_LOG_H

#include <stdbool.h>

enum log_level {
        LOG_LEVEL_ERROR = 0, /* -q: errors only */
        LOG_LEVEL_WARNING,
        LOG_LEVEL_INFO,      /* default */
        LOG_LEVEL_DEBUG,     /* -v or MEMSNAP_DEBUG=1 */
};

/*
 * The one piece of process-wide state: how chatty to be.  It is set once,
 * from the command line, before any work starts (as systemd's log level).
 */
void log_set_level(enum log_level level);

__attribute__((format(printf, 2, 3))) int log_error_errno(int err, const char *fmt, ...);
__attribute__((format(printf, 1, 2))) int log_error(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void log_warning(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void log_info(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void log_debug(const char *fmt, ...);

#endif
