/* Implementation of timespec.h. */
#include "timespec.h"

double timespec_diff_ms(const struct timespec *a, const struct timespec *b)
{
        return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}
