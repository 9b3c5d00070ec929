/*
 * The named reports of `memsnap report`: SQL files under query/reports/,
 * carried in the executable (report_sql.c, made by scripts/embed.py).  A
 * report file opens with "-- NAME: what it shows", may declare parameters
 * ("-- param: NAME DEFAULT what it means", bound as :NAME from the words
 * after the report's name on the command line), and holds one statement
 * per section (see sql_script.h for "-- section:" and "-- layout:", and
 * for "-- shared: with", the CTEs its sections have in common, written
 * once).
 */
#ifndef MEMSNAP_REPORT_H
#define MEMSNAP_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sql_script.h"

#define REPORT_PARAMS_MAX 4

struct report {
        const char *name;
        const char *sql;
        char summary[160];                          /* from the first line */
        struct sql_param params[REPORT_PARAMS_MAX]; /* values are the defaults */
        char param_names[REPORT_PARAMS_MAX][32];
        char param_help[REPORT_PARAMS_MAX][80];
        size_t nparams;
};

/* Fills r for the report called name; -ENOENT (not logged) when there is none. */
int report_find(const char *name, struct report *r);

/* Fills r for the i-th report, in file name order; -ENOENT (not logged) past the last. */
int report_get(size_t i, struct report *r);

/* The names of the reports nearest to a mistyped name, as suggest_nearest() writes them; 0 for none. */
size_t report_nearest(const char *name, char *buf, size_t size);

/* The report list for --help. */
void report_list_help(FILE *f);

#endif
