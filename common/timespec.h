/*
 * Time differences for messages and deadlines: how long a stop, a stage or
 * a part of a diff took, read from CLOCK_MONOTONIC.
 */
#ifndef MEMSNAP_TIMESPEC_H
#define MEMSNAP_TIMESPEC_H

#include <time.h>

/* Milliseconds from a to b (negative when b is earlier). */
double timespec_diff_ms(const struct timespec *a, const struct timespec *b);

#endif
