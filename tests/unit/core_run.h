/*
 * An analysis of a core that core_builder.c wrote: the temporary file, the
 * options analyze's tests run with (no debug info, a short frame limit) and
 * the core opened, so a test runs the stages it is about and frees it all
 * with one call.  The heap walker's tests, which set the rest of the analysis
 * up by hand, open the core alone (core_run_open_core).
 */
#ifndef MEMSNAP_TEST_CORE_RUN_H
#define MEMSNAP_TEST_CORE_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze/analysis.h"
#include "core_builder.h"

struct core_run {
        struct analysis a;
        char *path;
};

/* Writes b to a temporary file and opens it; fails the test when it cannot. */
void core_run_open(struct core_run *r, const struct core_builder *b);

/* Frees the analysis and removes the file. */
void core_run_end(struct core_run *r);

/*
 * Writes b to a temporary file and opens it into c, removing the file once
 * open (the core stays mapped); what core_open warns about the core (no
 * threads, no notes) is dropped.  Fails the test when it cannot.
 */
void core_run_open_core(struct core *c, const struct core_builder *b);

/* Whether a warning at address says needle. */
bool core_run_warned_at(const struct warnings *w, uint64_t address, const char *needle);

#endif
