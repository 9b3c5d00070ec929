/*
 * The output options `memsnap query` and `memsnap report` share on their
 * command lines (--format, --header, --no-header, --hex, --no-hex, and the
 * size units), and the defaults that follow the terminal: an aligned table
 * with hex addresses on a terminal, exact tab-separated values in a pipe.
 */
#ifndef MEMSNAP_OUTPUT_ARGS_H
#define MEMSNAP_OUTPUT_ARGS_H

#include <getopt.h>
#include <stdio.h>

#include "output_format.h"

/* getopt_long values of the shared options; commands add theirs after. */
enum {
        OPT_OUTPUT_HEADER = 0x100,
        OPT_OUTPUT_NO_HEADER,
        OPT_OUTPUT_HEX,
        OPT_OUTPUT_NO_HEX,
        OPT_OUTPUT_BYTES,
        OPT_OUTPUT_HUMAN,
        OPT_OUTPUT_LAST,
};

/* What the command line said; -1 where it said nothing. */
struct output_args {
        const char *format;  /* NULL: follow the terminal */
        int header;
        int hex;
        int human;           /* --human 1, --bytes 0 */
};

#define OUTPUT_ARGS_INIT { .header = -1, .hex = -1, .human = -1 }

#define OUTPUT_ARGS_LONG_OPTIONS                                               \
        { "format", required_argument, NULL, 'f' },                            \
        { "header", no_argument, NULL, OPT_OUTPUT_HEADER },                    \
        { "no-header", no_argument, NULL, OPT_OUTPUT_NO_HEADER },              \
        { "hex", no_argument, NULL, OPT_OUTPUT_HEX },                          \
        { "no-hex", no_argument, NULL, OPT_OUTPUT_NO_HEX }

/* Takes one getopt result; returns 1 when it was an output option, else 0. */
int output_args_take(struct output_args *a, int opt, const char *arg);

/*
 * Settles the options for printing to out: the format named (or the
 * terminal's default), the header (default: the format's, for a keyed
 * document its header_keyed), hex addresses (default: in formats for
 * people), human sizes (default: in formats for people, for keyed documents
 * only), and colour.  Logs and returns -EINVAL for an unknown format or a
 * header option the format cannot honour.
 */
int output_args_finish(const struct output_args *a, FILE *out, bool keyed, struct output_options *opt);

/* The "--format" lines of a command's --help. */
void output_args_help(FILE *f);

#endif
