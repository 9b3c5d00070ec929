/*
 * `memsnap query DB [SQL]`: any read-only SQL on a snapshot database,
 * printed in one of the output formats.  SQL comes from the argument, or
 * from standard input when it is "-" or left out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtin.h"
#include "common/array.h"
#include "common/cleanup.h"
#include "common/io.h"
#include "common/log.h"
#include "common/options.h"
#include "db_open.h"
#include "output_args.h"
#include "sql_script.h"

/* More SQL than anyone types; a bound so a runaway pipe cannot eat memory. */
#define SQL_STDIN_MAX (64u << 20)

static const char query_about[] =
        "Run read-only SQL on a snapshot database made by 'memsnap analyze'.  SQL may\n"
        "hold several statements; each result is printed in turn.  Without SQL (or\n"
        "with \"-\") the statements are read from standard input.  A statement that\n"
        "does more than read (a write, a pragma that sets, a function outside the\n"
        "documented list, ATTACH of what is not a SQLite file) is refused before\n"
        "anything runs.  Options go before DB: what follows it is SQL, which may\n"
        "start with a -- comment.\n";

static const char query_epilogue[] =
        "Tables: snapshot, segments, modules, threads, frames, live_frames, arenas,\n"
        "heaps, tcaches, chunks, refs, roots, types, warnings, meta; views: heap_summary,\n"
        "size_histogram, segment_summary, leak_summary (docs/database.md).\n\n"
        "examples:\n"
        "  memsnap query a.db \"select leak, count(*), sum(size) from chunks group by leak\"\n"
        "  memsnap query -f json a.db \"select * from leak_summary\"\n\n"
        "Exit status: 0 success, 1 failure (bad SQL, a statement that does more than\n"
        "read, the step limit, a file that is not a memsnap database), 2 bad usage.\n";

static int read_stdin(char **ret)
{
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = 0;

        for (;;) {
                if (ARRAY_RESERVE(buf, cap, len + 8192 + 1) < 0)
                        return log_error_errno(ENOMEM, "cannot read SQL from standard input: %m");
                size_t room = cap - len - 1;
                ssize_t n = io_read_full(STDIN_FILENO, buf + len, room);
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
        struct output_args oa = OUTPUT_ARGS_INIT;
        struct db_guard guard = DB_GUARD_INIT;
        const struct option_spec options[] = {
                OUTPUT_ARGS_OPTIONS(oa),
                OPTION_SET(0, "human", oa.human, 1, "sizes in B/KiB/MiB (columns named size, *_bytes, *_kb)"),
                DB_MAX_STEPS_OPTION(guard.max_steps, ""),
        };
        const struct options_command cli = {
                .name = "query",
                .usage = "[OPTIONS] DB [SQL]",
                .about = query_about,
                .epilogue = query_epilogue,
                /* options end at the database, so SQL may start with "--" (a comment) */
                .operands_end_options = true,
                .operands_noun = "the database",
                .operands_pronoun = "it",
                .options = options,
                .noptions = ELEMENTSOF(options),
        };

        int first = options_parse(&cli, argc, argv);
        if (first <= 0)
                return first == 0 ? EXIT_OK : EXIT_USAGE;
        if (argc - first < 1) {
                log_error("query needs a database");
                return EXIT_USAGE;
        }
        if (argc - first > 2) {
                if (options_check_late(&cli, argc, argv, first + 1) < 0)
                        return EXIT_USAGE;
                log_error("query takes one SQL argument; put several statements in it, separated by ';'");
                return EXIT_USAGE;
        }
        const char *path = argv[first];
        const char *sql_arg = argc - first == 2 ? argv[first + 1] : "-";

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
