/*
 * Printing a diff (diff.h): as text for people (diff_text.c) or as one
 * JSON object for programs (diff_json.c).
 */
#ifndef MEMSNAP_DIFF_OUTPUT_H
#define MEMSNAP_DIFF_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "diff.h"

struct diff_print_options {
        FILE *out;
        size_t limit;   /* entries per list; 0 for all (the summary always counts all) */
        bool human;     /* text: sizes in binary units */
        bool color;     /* text: bold titles and headers */
};

int diff_text_print(const struct diff *d, const struct diff_print_options *opt);
int diff_json_print(const struct diff *d, const struct diff_print_options *opt);

#endif
