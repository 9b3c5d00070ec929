/*
 * The growth series of a trend (trend.h, struct trend_series): one per
 * key, each with a figure per snapshot, gathered while the snapshots are
 * read one by one, then fitted (trend_fit.h) and ranked.
 */
#ifndef MEMSNAP_TREND_SERIES_H
#define MEMSNAP_TREND_SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "diff.h"
#include "diff_growth.h"
#include "trend.h"

/* The series being gathered, and a sorted index of their keys. */
struct trend_series_table {
        struct trend_series *v;     size_t n, cap;
        size_t *by_key, cap_by_key; /* indexes into v, by (kind, key) */
        size_t nsnapshots;          /* the length of every series' arrays */
};

/* The counts one snapshot's stream made (diff_growth.h; side 0) as type and size class figures of snapshot index. */
int trend_series_add_growth(struct trend_series_table *st, const struct growth_table *g, size_t index);

/* One snapshot's holders (diff_owners_load) as owner figures of snapshot index; their names are taken. */
int trend_series_add_owners(struct trend_series_table *st, struct diff_owner *owners, size_t n, size_t index);

/* Fits every series over t_s[0..nsnapshots) and moves them into t->series, ranked (trend.h). */
int trend_series_finish(struct trend_series_table *st, const double *t_s, struct trend *t);

void trend_series_table_free(struct trend_series_table *st);

/* Frees one series' strings and arrays. */
void trend_series_free(struct trend_series *s);

#endif
