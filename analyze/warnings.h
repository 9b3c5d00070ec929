/*
 * What analyze could not read or found wrong, collected while it works and
 * written to the `warnings` table: never silently dropped.  A corrupt core
 * can yield millions of findings; past WARNINGS_MAX the rest are counted and
 * one closing warning says how many were not stored.
 */
#ifndef MEMSNAP_WARNINGS_H
#define MEMSNAP_WARNINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WARNINGS_MAX 100000

struct warning {
        const char *stage;  /* static string: "core", "modules", "threads", "heap", "reach", ... */
        uint64_t address;   /* what it is about, or 0 */
        char *message;
};

struct warnings {
        struct warning *v;
        size_t n, cap;
        size_t dropped;     /* findings past WARNINGS_MAX */
        bool echo;          /* also log each one (analyze -v) */
};

__attribute__((format(printf, 4, 5))) void warnings_add(struct warnings *w, const char *stage, uint64_t address,
                                                        const char *fmt, ...);

/* Adds the closing "N more warnings were not stored" line, if any were dropped. */
void warnings_finish(struct warnings *w);

/* Drops the warnings past the first n (those of stages undone), and the count of those not stored. */
void warnings_truncate(struct warnings *w, size_t n);

void warnings_free(struct warnings *w);

#endif
