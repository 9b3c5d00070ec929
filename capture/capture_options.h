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
};

/* Sets o's defaults (before parsing). */
void capture_options_init(struct capture_options_cli *c);

/* Writes the CAPTURE_OPTIONS_ROWS rows, storing into c, at rows; returns how many. */
size_t capture_options_rows(struct capture_options_cli *c, struct option_spec *rows);

/* What the rows cannot say, after parsing: logs and returns -EINVAL (bad usage). */
int capture_options_check(const struct capture_options_cli *c);

#endif
