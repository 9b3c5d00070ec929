/*
 * The options of how a process is captured (--method, --segments, --range,
 * --path, --max-size, --with-text, --read-swapped, --stacks, --frames,
 * --stage-limit, --copy-threads), as rows of an option table
 * (common/options.h): `memsnap capture` puts them between its own, and so
 * do the commands that capture on the way (snap, watch), so each option is
 * parsed, checked and explained in one place.
 */
#ifndef MEMSNAP_CAPTURE_OPTIONS_H
#define MEMSNAP_CAPTURE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "capture.h"
#include "common/options.h"

/* How many rows capture_options_rows writes. */
#define CAPTURE_OPTIONS_ROWS 11

struct capture_options_cli {
        struct capture_options o;   /* where the rows store their values */
        bool frames_given;          /* --frames appeared (it needs --stacks) */
        int level;                  /* -q, -v: the log level asked for, the last wins; -1 none */
};

/* How many rows capture_options_verbosity_rows writes. */
#define CAPTURE_OPTIONS_VERBOSITY_ROWS 2

/* Sets o's defaults (before parsing). */
void capture_options_init(struct capture_options_cli *c);

/* Writes the CAPTURE_OPTIONS_ROWS rows, storing into c, at rows; returns how many. */
size_t capture_options_rows(struct capture_options_cli *c, struct option_spec *rows);

/* Writes -q (errors only; sets o.quiet) and -v (debugging messages) at rows; returns how many. */
size_t capture_options_verbosity_rows(struct capture_options_cli *c, struct option_spec *rows);

/*
 * The command line of a command that captures, cli being its table with
 * the rows above: blocks SIGINT, SIGTERM and SIGHUP first, for the rest of
 * the run (capture/interrupt.h: a signal then waits, pending, for the
 * capture to take it), parses argv, takes the target (pid_operand.h) into
 * c->o.pid, checks what the rows cannot say and sets the log level of -q
 * or -v.  Returns true to go on;
 * false when the command ends here, with its exit status (builtin.h) in
 * *status: 0 after --help, 2 bad usage, 1 no such process.
 */
bool capture_options_parse(struct capture_options_cli *c, const struct options_command *cli, int argc, char **argv,
                           int *status);

#endif
