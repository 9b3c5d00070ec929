/*
 * The text of memsnap's own notes (common/memsnap_note.h): the capture's
 * settings and facts as "key=value" lines, and the thread names.  The
 * verbatim /proc notes need no formatting; the skipped ranges and the live
 * stacks are formatted by skip_list.c and live_stacks.c.
 */
#ifndef MEMSNAP_MEMSNAP_NOTES_H
#define MEMSNAP_MEMSNAP_NOTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "segment_select.h"

struct capture_facts {
        const char *version;           /* memsnap's */
        struct timespec captured_at;   /* CLOCK_REALTIME when every thread was stopped */
        pid_t pid;
        const char *exe;               /* readlink /proc/PID/exe, or "" */
        const char *comm;
        const char *kernel;            /* uname -r */
        size_t page_size;
        size_t threads, mappings;
        double pause_ms;
        const struct select_options *select;
        bool read_swapped, stacks;
        uint64_t stage_limit;
        uint64_t memory_bytes;         /* read from memory */
        uint64_t file_bytes;           /* read from mapped files */
        uint64_t direct_bytes;         /* written to the file while the target was stopped */
};

/* "key=value\n" lines, values escaped (common/text_escape.h); keys are documented in docs/core-format.md. */
int memsnap_notes_settings_format(const struct capture_facts *f, char **text, size_t *len);

/* Writes t as RFC 3339 UTC with milliseconds: "2024-05-01T12:34:56.789Z". */
void memsnap_notes_rfc3339_utc(const struct timespec *t, char buf[32]);

/* "TID\tNAME\n" per thread, NAME escaped (common/text_escape.h). */
int memsnap_notes_threads_format(const pid_t *tids, char *const *names, size_t n, char **text, size_t *len);

#endif
