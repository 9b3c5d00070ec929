/*
 * What the heap walk adds to an analysis, taken away again, so the benches
 * can run the heap and reach stages several times on one opened core.
 */
#ifndef MEMSNAP_BENCH_HEAP_RESET_H
#define MEMSNAP_BENCH_HEAP_RESET_H

#include "analyze/analysis.h"

void heap_reset(struct analysis *a);

#endif
