/*
 * The steady-growth score of one series (trend.h, struct trend_fit): an
 * ordinary least-squares line through (t, y) over every snapshot, its R²,
 * and the slope weighted by R².
 *
 * Why least squares and not first against last: a block class that jumped
 * once (a cache filled at start-up) and stayed flat has a large first-last
 * difference but a line that explains the points only partly; one that
 * rose and fell back (a sawtooth) has a low R².  A leak adds about the
 * same bytes per unit of time, which is a line.  Why not a rank statistic
 * (Mann-Kendall with a Theil-Sen slope): it is O(n²) per series and says
 * "monotonic" without weighting how much; the slope in bytes per second
 * is what a reader can act on, and R² says how much to trust it.
 */
#ifndef MEMSNAP_TREND_FIT_H
#define MEMSNAP_TREND_FIT_H

#include <stddef.h>
#include <stdint.h>

#include "trend.h"

/*
 * The line through (t[i], y[i]) for i < n.  A series with fewer than two
 * points, or whose t or y do not vary, gets slope 0 and r2 0 (nothing
 * grows); r2 is clamped to [0, 1] against rounding.
 */
struct trend_fit trend_fit_line(const double *t, const int64_t *y, size_t n);

#endif
