/*
 * Printing a trend (trend.h): as text for people (trend_text.c), one CSV
 * table for a spreadsheet (trend_csv.c), one JSON object for programs
 * (trend_json.c), or that object drawn as an HTML page (trend_html.c).  The text and the CSV draw the same tables
 * (trend_table.c) with the printer `query` and `report` use.
 */
#ifndef MEMSNAP_TREND_OUTPUT_H
#define MEMSNAP_TREND_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "trend.h"

struct trend_print_options {
        FILE *out;
        size_t limit;   /* rows per list; 0 for all (the snapshots are always all) */
        bool human;     /* text: sizes in binary units */
        bool color;     /* text: bold titles and headers */
};

int trend_text_print(const struct trend *t, const struct trend_print_options *opt);

/* One table (trend_table.h, enum trend_table) with its header row, as RFC 4180 CSV. */
int trend_csv_print(const struct trend *t, int table, const struct trend_print_options *opt);

int trend_json_print(const struct trend *t, const struct trend_print_options *opt);

/*
 * Writes the page of `trend --html` to path (replacing a file there only
 * when force): trend_json_print's object with limit rows per list (0 for
 * all), drawn by query/html/trend.js.  Logs and returns -errno.
 */
int trend_html_write(const struct trend *t, const char *path, bool force, size_t limit);

#endif
