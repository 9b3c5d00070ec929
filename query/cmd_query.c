/*
 * `memsnap query DB [SQL]`: any read-only SQL on a snapshot database,
 * printed in one of the output formats.  SQL comes from the argument, or
 * from standard input when it is "-" or left out.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtin.h"
#include "common/array.h"
#include "common/cleanup.h"
#include "common/io.h"
#include "common/log.h"
#include "db_open.h"
#include "output_args.h"
#include "sql_script.h"

enum { OPT_MAX_STEPS = OPT_OUTPUT_LAST };

/* More SQL than anyone types; a bound so a runaway pipe cannot eat memory. */
#define SQL_STDIN_MAX (64u << 20)

static void query_help(FILE *f)
{
        fprintf(f, "usage: memsnap query [OPTIONS] DB [SQL]\n\n"
                   "Run read-only SQL on a snapshot database made by 'memsnap analyze'.  SQL may\n"
                   "hold several statements; each result is printed in turn.  Without SQL (or\n"
                   "with \"-\") the statements are read from standard input.  A statement that\n"
                   "does more than read (a write, a pragma that sets, a function outside the\n"
                   "documented list, ATTACH of what is not a SQLite file) is refused before\n"
                   "anything runs.  Options go before DB: what follows it is SQL, which may\n"
                   "start with a -- comment.\n\n"
                   "options:\n");
        output_args_help(f);
        fprintf(f, "      --human          sizes in B/KiB/MiB (columns named size, *_bytes, *_kb)\n"
                   DB_MAX_STEPS_HELP
                   "  -h, --help           show this help\n\n"
                   "Tables: snapshot, segments, modules, threads, frames, live_frames, arenas,\n"
                   "heaps, tcaches, chunks, refs, types, warnings, meta; views: heap_summary,\n"
                   "size_histogram, segment_summary, leak_summary (docs/database.md).\n\n"
                   "examples:\n"
                   "  memsnap query a.db \"select leak, count(*), sum(size) from chunks group by leak\"\n"
                   "  memsnap query -f json a.db \"select * from leak_summary\"\n\n"
                   "Exit status: 0 success, 1 failure (bad SQL, a statement that does more than\n"
                   "read, the step limit, a file that is not a memsnap database), 2 bad usage.\n");
}

static int read_stdin(char **ret)
{
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = 0;

        for (;;) {
                if (ARRAY_RESERVE(buf, cap, len + 8192 + 1) < 0)
                        return log_error_errno(ENOMEM, "cannot read SQL from standard input: %m");
                size_t room = cap - len - 1;
                ssize_t n = read_full(STDIN_FILENO, buf + len, room);
                if (n < 0)
                        return log_error_errno((int)n, "cannot read SQL from standard input: %m");
                len += (size_t)n;
                if (len > SQL_STDIN_MAX)
                        return log_error_errno(EFBIG, "SQL on standard input is longer than %u MiB",
                                               SQL_STDIN_MAX >> 20);
                if ((size_t)n < room)
                        break; /* the end of the input */
        }
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        return 0;
}

int cmd_query(int argc, char **argv)
{
        static const struct option options[] = {
                OUTPUT_ARGS_LONG_OPTIONS,
                { "human", no_argument, NULL, OPT_OUTPUT_HUMAN },
                { "max-steps", required_argument, NULL, OPT_MAX_STEPS },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        struct output_args oa = OUTPUT_ARGS_INIT;
        struct db_guard guard = DB_GUARD_INIT;
        int c;

        /* "+": options end at the database, so SQL may start with "--" (a comment) */
        optind = 0;
        while ((c = getopt_long(argc, argv, "+f:h", options, NULL)) != -1) {
                if (output_args_take(&oa, c, optarg))
                        continue;
                switch (c) {
                case OPT_MAX_STEPS:
                        if (db_max_steps_parse(optarg, &guard.max_steps) < 0)
                                return EXIT_USAGE;
                        break;
                case 'h':
                        query_help(stdout);
                        return EXIT_OK;
                default:
                        query_help(stderr);
                        return EXIT_USAGE;
                }
        }
        if (argc - optind < 1) {
                log_error("query needs a database");
                return EXIT_USAGE;
        }
        if (argc - optind > 2) {
                for (int i = optind + 1; i < argc; i++)
                        if (argv[i][0] == '-' && argv[i][1] != '\0') {
                                log_error("'%s' comes after the database: options go before it "
                                          "(memsnap query [OPTIONS] DB [SQL])", argv[i]);
                                return EXIT_USAGE;
                        }
                log_error("query takes one SQL argument; put several statements in it, separated by ';'");
                return EXIT_USAGE;
        }
        const char *path = argv[optind];
        const char *sql_arg = argc - optind == 2 ? argv[optind + 1] : "-";

        struct output_options opt;
        if (output_args_finish(&oa, stdout, false, &opt) < 0)
                return EXIT_USAGE;

        _cleanup_free_ char *stdin_sql = NULL;
        if (strcmp(sql_arg, "-") == 0) {
                if (isatty(STDIN_FILENO)) {
                        log_error("no SQL given: pass it as an argument or on standard input");
                        return EXIT_USAGE;
                }
                if (read_stdin(&stdin_sql) < 0)
                        return EXIT_FAIL;
                sql_arg = stdin_sql;
        }

        if (sql_script_empty(sql_arg)) {
                if (sql_arg[0] == '-' && sql_arg != stdin_sql)
                        log_error("no SQL statement in '%s': it reads as a comment; options go before the database "
                                  "(memsnap query [OPTIONS] DB [SQL])", sql_arg);
                else
                        log_error("no SQL statement given: only blanks and comments");
                return EXIT_USAGE;
        }

        _cleanup_sqlite3_ sqlite3 *db = NULL;
        if (db_open_readonly(path, &guard, &db) < 0)
                return EXIT_FAIL;

        struct output o;
        output_init(&o, &opt, false);
        int r = sql_script_run(db, &guard, path, sql_arg, &o, NULL, 0);
        output_free(&o);
        return r < 0 ? EXIT_FAIL : EXIT_OK;
}
