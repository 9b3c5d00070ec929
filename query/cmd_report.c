/*
 * `memsnap report DB [NAME [ARGS]]`: one of the named reports (report.h),
 * printed in the output formats `query` has, with sizes in binary units in
 * the formats for people unless --bytes asks for exact numbers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtin.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/options.h"
#include "common/units.h"
#include "db_open.h"
#include "output_args.h"
#include "report.h"
#include "report_html.h"

static const char report_epilogue[] =
        "Each report is an SQL file (query/reports/NAME.sql); --sql shows it, to adapt\n"
        "with 'memsnap query'.  Column names ending in _kb are KiB, as /proc says.  In a\n"
        "pipe each section opens with a '# NAME' line and a header row.\n\n"
        "A core does not record which code allocated a block (malloc keeps no callers):\n"
        "leaks and top tell blocks apart by size, type hint, first bytes and content\n"
        "hash, and who points to them (top's owners, the refs table); 'memsnap diff'\n"
        "shows what was added between two snapshots.\n\n"
        "Exit status: 0 success, 1 failure (a file that is not a memsnap database,\n"
        "a database of another schema version, the step limit), 2 bad usage.\n";

/* "'lekas' is not a report; did you mean 'leaks'?" */
static void unknown_report(const char *name)
{
        char near[128];

        if (report_nearest(name, near, sizeof(near)) > 0)
                log_error("'%s' is not a report; did you mean %s?", name, near);
        else
                log_error("'%s' is not a report; see 'memsnap report --help'", name);
}

/* Binds the words after the report's name to its parameters, in order. */
static int report_take_args(struct report *r, char **args, size_t nargs)
{
        if (nargs > r->nparams) {
                if (r->nparams == 0)
                        return log_error_errno(EINVAL, "report '%s' takes no arguments", r->name);
                return log_error_errno(EINVAL, "report '%s' takes at most %zu argument%s", r->name,
                                       r->nparams, r->nparams == 1 ? "" : "s");
        }
        for (size_t i = 0; i < nargs; i++) {
                uint64_t v;
                if (units_parse_u64(args[i], &v) < 0 || v > INT64_MAX)
                        return log_error_errno(EINVAL, "report '%s': %s must be a non-negative integer, not '%s'",
                                               r->name, r->param_names[i], args[i]);
                r->params[i].value = (int64_t)v;
        }
        return 0;
}

/* report --html FILE DB: the one database, and no option that shapes text. */
static int report_html(char **operands, size_t noperands, const char *html_path, bool force,
                       const struct output_args *oa, struct db_guard *guard)
{
        if (noperands > 1) {
                log_error("'%s': --html shows every report: give the database only", operands[1]);
                return EXIT_USAGE;
        }
        if (oa->format || oa->header >= 0 || oa->hex >= 0 || oa->human >= 0) {
                log_error("--html writes a page: --format, --header, --hex and the size units shape text only");
                return EXIT_USAGE;
        }
        _cleanup_sqlite3_ sqlite3 *db = NULL;
        if (db_open_readonly(operands[0], guard, &db) < 0)
                return EXIT_FAIL;
        return report_html_write(db, guard, operands[0], html_path, force) < 0 ? EXIT_FAIL : EXIT_OK;
}

int cmd_report(int argc, char **argv)
{
        struct output_args oa = OUTPUT_ARGS_INIT;
        struct db_guard guard = DB_GUARD_INIT;
        bool show_sql = false, force = false;
        const char *html_path = NULL;
        const struct option_spec options[] = {
                OUTPUT_ARGS_OPTIONS(oa),
                OPTION_SET(0, "bytes", oa.human, 0, "sizes as exact byte (or KiB) counts; the default in a pipe"),
                OPTION_SET(0, "human", oa.human, 1, "sizes in B/KiB/MiB; the default in table, markdown, line"),
                DB_MAX_STEPS_OPTION(guard.max_steps, ""),
                OPTION_FLAG(0, "sql", show_sql, "print the report's SQL instead of running it"),
                OPTION_STRING(0, "html", "FILE", html_path,
                              "write every report as one self-contained HTML page (maps of the address "
                              "space and the heap, sizes, leaks, owners, threads) instead of printing one"),
                OPTION_FLAG(0, "force", force, "replace an existing --html FILE"),
        };
        const struct options_command cli = {
                .name = "report",
                .usage = "[OPTIONS] DB [REPORT [ARGS]]\n--html FILE [--force] DB\n--sql REPORT",
                .about = "Print a named report of a snapshot database (default: summary).\n\nreports:\n",
                .about_more = report_list_help,
                .epilogue = report_epilogue,
                /* options end at the database, as they do for query, whose SQL may start with "--" */
                .operands_end_options = true,
                .operands_noun = "the database",
                .operands_pronoun = "it",
                .options = options,
                .noptions = ELEMENTSOF(options),
        };

        int first = options_parse(&cli, argc, argv);
        if (first <= 0)
                return first == 0 ? EXIT_OK : EXIT_USAGE;

        struct report rep;
        if (show_sql && html_path) {
                log_error("--sql prints one report's SQL: not with --html");
                return EXIT_USAGE;
        }
        if (show_sql) {
                if (argc - first != 1) {
                        log_error("--sql takes the name of one report");
                        return EXIT_USAGE;
                }
                if (report_find(argv[first], &rep) < 0) {
                        unknown_report(argv[first]);
                        return EXIT_USAGE;
                }
                sql_script_expand(rep.sql, stdout);
                return EXIT_OK;
        }

        if (argc - first < 1) {
                log_error("report needs a database");
                return EXIT_USAGE;
        }
        if (html_path)
                return report_html(argv + first, (size_t)(argc - first), html_path, force, &oa, &guard);
        if (force) {
                log_error("--force replaces an --html FILE: there is none");
                return EXIT_USAGE;
        }
        /* no report name or argument starts with '-': such a word is an option put too late */
        if (options_check_late(&cli, argc, argv, first + 1) < 0)
                return EXIT_USAGE;
        const char *path = argv[first];
        const char *name = argc - first >= 2 ? argv[first + 1] : "summary";
        if (report_find(path, &rep) == 0 && access(path, F_OK) < 0) {
                log_error("'%s' is a report, not a database: the database comes first (memsnap report DB %s)",
                          path, path);
                return EXIT_USAGE;
        }
        if (report_find(name, &rep) < 0) {
                unknown_report(name);
                return EXIT_USAGE;
        }
        size_t nargs = argc - first >= 2 ? (size_t)(argc - first - 2) : 0;
        if (report_take_args(&rep, argv + first + 2, nargs) < 0)
                return EXIT_USAGE;

        struct output_options opt;
        if (output_args_finish(&oa, stdout, true, &opt) < 0)
                return EXIT_USAGE;

        _cleanup_sqlite3_ sqlite3 *db = NULL;
        if (db_open_readonly(path, &guard, &db) < 0)
                return EXIT_FAIL;

        struct output o;
        output_init(&o, &opt, true);
        int r = sql_script_run(db, &guard, path, rep.sql, &o, rep.params, rep.nparams);
        output_free(&o);
        return r < 0 ? EXIT_FAIL : EXIT_OK;
}
