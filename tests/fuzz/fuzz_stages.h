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
 * Opens path into a (made afresh by this call) and runs every stage with
 * analysis_run, as cmd_analyze.c does; core_only as `analyze --core-only`
 * (no file opened but the core: not the files its NT_FILE names).  Returns
 * 0 or the failing stage's negative errno; free a with analysis_free
 * either way.
 */
int fuzz_stages_run(struct analysis *a, const char *path, bool core_only);

#endif
