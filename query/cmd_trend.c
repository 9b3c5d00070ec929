/*
 * `memsnap trend DB...`: snapshots of one process over time (trend.h):
 * which blocks were born and died when, which survive and pile up, and
 * what grows steadily, by owner, type and size class; printed for people,
 * as JSON, or as one CSV table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "builtin.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/options.h"
#include "common/suggest.h"
#include "common/timespec.h"
#include "db_open.h"
#include "output_format.h"
#include "trend.h"
#include "trend_output.h"
#include "trend_table.h"

/* How many rows of each list the text shows unless --limit says otherwise. */
#define TREND_TEXT_LIMIT 20
/* ... and the page of --html: its lists are tables to read, not data to load. */
#define TREND_HTML_LIMIT 50

/* --format: the index of its name in trend_formats */
enum trend_format { TREND_FORMAT_TEXT, TREND_FORMAT_JSON };
static const char *const trend_formats[] = { "text", "json", NULL };

static const char trend_about[] =
        "Follow snapshots of one process over time.  The databases may be given in\n"
        "any order: they are read in capture order.  Each block is followed as diff\n"
        "matches blocks (address, size and content hash): born in the first snapshot\n"
        "that holds it, died in the first one after that which does not.  Growth is\n"
        "fitted over every snapshot (least squares: slope and R²) per owner, type hint\n"
        "and size class, and the steadiest fast growth is listed first.\n";

static const char trend_epilogue[] =
        "Tables for --csv: fastest, snapshots, survivors, growth (one column of bytes\n"
        "per snapshot), blocks.\n"
        "Exit status: 0 done, 1 failure (unreadable database, snapshots of different\n"
        "processes), 2 bad usage.\n";

static void trend_destroy(struct trend *t)
{
        trend_free(t);
        free(t);
}
DEFINE_POINTER_CLEANUP(struct trend, trend_destroy)

int cmd_trend(int argc, char **argv)
{
        enum trend_format format = TREND_FORMAT_TEXT;
        const char *csv = NULL, *html = NULL;
        bool force = false;
        int human = -1;
        int64_t limit = -1;
        uint64_t max_steps = DB_MAX_STEPS_DEFAULT;
        const struct option_spec options[] = {
                OPTION_ENUM('f', "format", format, trend_formats,
                            "text (for people, the default) or json (one object: process, snapshots, growth, "
                            "survivors, blocks)"),
                OPTION_STRING(0, "csv", "TABLE", csv,
                              "print one table as CSV with a header row: fastest, snapshots, survivors, growth "
                              "or blocks"),
                OPTION_STRING(0, "html", "FILE", html,
                              "write the trend as one self-contained HTML page (RSS, used heap and leaked "
                              "bytes over time, the fastest growth) instead of printing it"),
                OPTION_FLAG(0, "force", force, "replace an existing --html FILE"),
                OPTION_UNSIGNED(0, "limit", "N", limit, 0, INT64_MAX,
                                "list at most N rows of each list (default " OPTIONS_STR(TREND_TEXT_LIMIT)
                                " in text, " OPTIONS_STR(TREND_HTML_LIMIT) " in --html, all in json and csv; "
                                "0 for all)"),
                OPTION_SET(0, "bytes", human, 0, "text: sizes as exact byte counts (the default in a pipe)"),
                OPTION_SET(0, "human", human, 1, "text: sizes in B/KiB/MiB (the default on a terminal)"),
                DB_MAX_STEPS_OPTION(max_steps, "; the limit is per connection, one or two per snapshot"),
        };
        const struct options_command cli = {
                .name = "trend",
                .usage = "[OPTIONS] DB DB...",
                .about = trend_about,
                .epilogue = trend_epilogue,
                .operands_end_options = true,
                .operands_noun = "the databases",
                .operands_pronoun = "them",
                .options = options,
                .noptions = ELEMENTSOF(options),
        };

        int first = options_parse(&cli, argc, argv);
        if (first <= 0)
                return first == 0 ? EXIT_OK : EXIT_USAGE;
        if (options_check_late(&cli, argc, argv, first + 1) < 0)
                return EXIT_USAGE;
        if (argc - first < 2) {
                log_error("trend needs two snapshot databases or more, of one process; got %d", argc - first);
                return EXIT_USAGE;
        }
        int table = -1;
        if (csv) {
                table = trend_table_find(csv);
                if (table < 0) {
                        char near[64];
                        if (suggest_nearest(csv, trend_table_names, near, sizeof(near)) > 0)
                                log_error("unknown table '%s' for --csv; did you mean %s?", csv, near);
                        else
                                log_error("unknown table '%s' for --csv; tables: fastest, snapshots, survivors, "
                                          "growth, blocks", csv);
                        return EXIT_USAGE;
                }
                if (format != TREND_FORMAT_TEXT) {
                        log_error("--csv prints one table as CSV; it does not go with --format");
                        return EXIT_USAGE;
                }
        }
        if (html && (csv || format != TREND_FORMAT_TEXT || human >= 0)) {
                log_error("--html writes a page: --csv, --format, --bytes and --human shape printed output only");
                return EXIT_USAGE;
        }
        if (force && !html) {
                log_error("--force replaces an --html FILE: there is none");
                return EXIT_USAGE;
        }
        bool text = !csv && format == TREND_FORMAT_TEXT;
        if (!text && human >= 0) {
                log_error("--bytes and --human apply to the text format; json and csv sizes are always bytes");
                return EXIT_USAGE;
        }

        _cleanup_(trend_destroyp) struct trend *t = calloc(1, sizeof(*t));
        if (!t) {
                log_error_errno(ENOMEM, "cannot follow the snapshots: %m");
                return EXIT_FAIL;
        }
        t->guard = (struct db_guard)DB_GUARD_INIT;
        t->guard.max_steps = max_steps;
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (trend_load(t, argv + first, (size_t)(argc - first)) < 0)
                return EXIT_FAIL;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        log_debug("trend: %zu snapshots read in %.0f ms", t->nsnapshots, timespec_diff_ms(&t0, &t1));

        if (html)
                return trend_html_write(t, html, force, limit >= 0 ? (size_t)limit : TREND_HTML_LIMIT) < 0
                               ? EXIT_FAIL : EXIT_OK;

        struct trend_print_options po = {
                .out = stdout,
                .limit = limit >= 0 ? (size_t)limit : text ? TREND_TEXT_LIMIT : 0,
                .human = human >= 0 ? human : isatty(fileno(stdout)),
                .color = text && output_color_wanted(stdout),
        };
        if (!text)
                setvbuf(stdout, NULL, _IOFBF, 1 << 16);
        int r = csv ? trend_csv_print(t, table, &po)
                    : format == TREND_FORMAT_JSON ? trend_json_print(t, &po) : trend_text_print(t, &po);
        return r < 0 ? EXIT_FAIL : EXIT_OK;
}
