/*
 * The output options `memsnap query` and `memsnap report` share on their
 * command lines (--format, --header, --no-header, --hex, --no-hex; each adds
 * the size units), and the defaults that follow the terminal: an aligned table
 * with hex addresses on a terminal, exact tab-separated values in a pipe.
 */
#ifndef MEMSNAP_OUTPUT_ARGS_H
#define MEMSNAP_OUTPUT_ARGS_H

#include <stdio.h>

#include "common/options.h"

#include "output_format.h"

/* What the command line said; -1 where it said nothing. */
struct output_args {
        const char *format;  /* NULL: follow the terminal */
        int header;
        int hex;
        int human;           /* --human 1, --bytes 0 */
};

#define OUTPUT_ARGS_INIT { .header = -1, .hex = -1, .human = -1 }

/*
 * The rows of the shared options in a command's table (common/options.h),
 * a the command's struct output_args; the size units (--bytes, --human)
 * are each command's own rows, their help differs.
 */
#define OUTPUT_ARGS_OPTIONS(a)                                                                                   \
        OPTION_STRING('f', "format", "FORMAT", (a).format,                                                       \
                      "how to print results (default: table on a terminal, tsv in a pipe):",                     \
                      .help_more = output_args_help_formats),                                                    \
        OPTION_SET(0, "header", (a).header, 1, "print column names (table, csv, tsv, markdown)"),                \
        OPTION_SET(0, "no-header", (a).header, 0, "do not (table, csv, tsv)"),                                   \
        OPTION_SET(0, "hex", (a).hex, 1, "addresses as 0x... (default in table, markdown, line)"),               \
        OPTION_SET(0, "no-hex", (a).hex, 0, "addresses as decimal integers, as stored")

/*
 * Settles the options for printing to out: the format named (or the
 * terminal's default), the header (default: the format's, for a keyed
 * document its header_keyed), hex addresses (default: in formats for
 * people), human sizes (default: in formats for people, for keyed documents
 * only), and colour.  Logs and returns -EINVAL for an unknown format or a
 * header option the format cannot honour.
 */
int output_args_finish(const struct output_args *a, FILE *out, bool keyed, struct output_options *opt);

/* Under --format in a command's --help: each format and what it prints, from column indent on. */
void output_args_help_formats(FILE *f, int indent);

#endif
