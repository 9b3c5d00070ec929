/*
 * The stages of `memsnap analyze` as the harnesses run them on one core
 * file: opened with the options analyze's tests use (no separate debug
 * info, a short frame limit), every stage up to the heap walk, reachability
 * and the explanations, and no database written.
 */
#ifndef MEMSNAP_FUZZ_STAGES_H
#define MEMSNAP_FUZZ_STAGES_H

#include <stdbool.h>

#include "analyze/analysis.h"

/*
 * Opens path into a (zeroed by this call) and runs the stages in
 * cmd_analyze.c's order, leaving out modules and threads (libdwfl, which
 * opens the files the core names) unless with_modules.  Returns 0 or the
 * failing step's negative errno; free a with analysis_free either way.
 */
int fuzz_stages_run(struct analysis *a, const char *path, bool with_modules);

#endif
