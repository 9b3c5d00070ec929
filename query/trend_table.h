/*
 * The tables of a trend, as result sets of the output printer
 * (output_format.h): the text prints them all, the CSV one of them, so a
 * column is named and filled in one place.  Column names are the CSV
 * header, documented in docs/memsnap.md.
 */
#ifndef MEMSNAP_TREND_TABLE_H
#define MEMSNAP_TREND_TABLE_H

#include <stddef.h>

#include "output_format.h"
#include "trend.h"

enum trend_table {
        TREND_TABLE_FASTEST,    /* the series that grow, steadiest-fastest first, every kind */
        TREND_TABLE_SNAPSHOTS,  /* one row per snapshot: totals, births, deaths */
        TREND_TABLE_SURVIVORS,  /* born after the first snapshot and alive in the last, grouped */
        TREND_TABLE_GROWTH,     /* every series (kind column) with one column of bytes per snapshot */
        TREND_TABLE_BLOCKS,     /* one row per life of a block that did not span the whole trend */
};

/* The tables' names, in enum order, NULL-terminated: "fastest", "snapshots", ... */
extern const char *const trend_table_names[];

/* The table called name, or -1. */
int trend_table_find(const char *name);

/*
 * Prints one table into o (begun by the caller) as one result set titled
 * title, at most limit rows (0: all).  kind narrows TREND_TABLE_GROWTH to
 * one kind of series without the per-snapshot columns (the text's
 * sections); -1 keeps every kind and the columns (the CSV).
 */
int trend_table_print(struct output *o, const struct trend *t, enum trend_table which, const char *title,
                      size_t limit, int kind);

#endif
