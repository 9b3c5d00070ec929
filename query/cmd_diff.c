/*
 * `memsnap diff BEFORE.db AFTER.db`: what was allocated, freed and leaked
 * between two snapshots of one program (diff.h), printed for people or as
 * JSON, with an exit status a CI job can gate on (--fail-on-leak).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "builtin.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/options.h"
#include "common/timespec.h"
#include "db_open.h"
#include "diff.h"
#include "diff_output.h"
#include "output_format.h"

/* How many entries of each list the text shows unless --limit says otherwise. */
#define DIFF_TEXT_LIMIT 20

/* --format: the index of its name in diff_formats */
enum diff_format { DIFF_FORMAT_TEXT, DIFF_FORMAT_JSON };
static const char *const diff_formats[] = { "text", "json", NULL };

static const char diff_about[] =
        "Compare two snapshots of the same program: blocks added, removed and changed,\n"
        "new definite leaks, growth by type and size class, mappings and threads.\n"
        "A block of AFTER is added when BEFORE has no used block with the same address\n"
        "and size (and content hash, where both have one); blocks at the same address\n"
        "whose size, arena or leak verdict differs are changed.  The pid may differ\n"
        "(a restarted service); the program may not.\n";

static const char diff_epilogue[] =
        "Exit status: 0 done (no new definite leaks, or no --fail-on-leak), 1 failure,\n"
        "2 bad usage, 3 new definite leaks with --fail-on-leak.\n";

static void diff_destroy(struct diff *d)
{
        diff_free(d);
        free(d);
}
DEFINE_POINTER_CLEANUP(struct diff, diff_destroy)

int cmd_diff(int argc, char **argv)
{
        enum diff_format format = DIFF_FORMAT_TEXT;
        bool fail_on_leak = false, force = false;
        int human = -1;
        int64_t limit = -1;
        uint64_t max_steps = DB_MAX_STEPS_DEFAULT;
        const struct option_spec options[] = {
                OPTION_ENUM('f', "format", format, diff_formats,
                            "text (for people, the default) or json (one object: before, after, summary, added, "
                            "removed, changed, growth, segments, threads, owners)"),
                OPTION_FLAG(0, "fail-on-leak", fail_on_leak, "exit 3 when AFTER has new definite leaks"),
                OPTION_FLAG(0, "force", force, "compare snapshots of different programs (build-ids)"),
                OPTION_UNSIGNED(0, "limit", "N", limit, 0, INT64_MAX,
                                "list at most N entries of each list (default " OPTIONS_STR(DIFF_TEXT_LIMIT)
                                " in text, all in json; 0 for all); counts stay complete"),
                OPTION_SET(0, "bytes", human, 0, "text: sizes as exact byte counts (the default in a pipe)"),
                OPTION_SET(0, "human", human, 1, "text: sizes in B/KiB/MiB (the default on a terminal)"),
                DB_MAX_STEPS_OPTION(max_steps, "; the limit is per connection: one reads both, one each side's blocks"),
        };
        const struct options_command cli = {
                .name = "diff",
                .usage = "[OPTIONS] BEFORE.db AFTER.db",
                .about = diff_about,
                .epilogue = diff_epilogue,
                /* options end at the first database, as they do for query and report */
                .operands_end_options = true,
                .operands_noun = "the databases",
                .operands_pronoun = "them",
                .options = options,
                .noptions = ELEMENTSOF(options),
        };

        int first = options_parse(&cli, argc, argv);
        if (first <= 0)
                return first == 0 ? EXIT_OK : EXIT_USAGE;
        bool json = format == DIFF_FORMAT_JSON;
        if (options_check_late(&cli, argc, argv, first + 1) < 0)
                return EXIT_USAGE;
        if (argc - first != 2) {
                log_error("diff needs two databases: BEFORE.db AFTER.db");
                return EXIT_USAGE;
        }
        if (json && human >= 0) {
                log_error("--bytes and --human apply to the text format; json sizes are always bytes");
                return EXIT_USAGE;
        }

        /* d before db: the connection's guard lives in d, so the connection closes first */
        _cleanup_(diff_destroyp) struct diff *d = calloc(1, sizeof(*d));
        if (!d) {
                log_error_errno(ENOMEM, "cannot diff: %m");
                return EXIT_FAIL;
        }
        /* keep what will be printed: the text lists no added or removed blocks, only new leaks */
        size_t shown = limit > 0 ? (size_t)limit : limit == 0 ? DIFF_ALL : json ? DIFF_ALL : DIFF_TEXT_LIMIT;
        if (json)
                d->keep = (struct diff_keep){ .added = shown, .removed = shown, .changed = shown };
        else
                d->keep = (struct diff_keep){ .changed_other = shown, .leaks = shown };
        d->guard = (struct db_guard)DB_GUARD_INIT;
        d->guard.max_steps = d->max_steps = max_steps;
        _cleanup_sqlite3_ sqlite3 *db = NULL;
        if (diff_open(argv[first], argv[first + 1], &d->guard, &db) < 0)
                return EXIT_FAIL;

        d->before.path = argv[first];
        d->after.path = argv[first + 1];
        /* each part timed for MEMSNAP_DEBUG=1, which is how bench/diff's figures are read */
        static const struct {
                const char *name;
                int (*fn)(sqlite3 *db, struct diff *d);
        } parts[] = {
                { "blocks", diff_chunks },
                { "segments", diff_segments },
                { "threads", diff_threads },
                { "owners", diff_owners },
        };
        if (diff_side_check_same_program(db, d, force) < 0)
                return EXIT_FAIL;
        for (size_t i = 0; i < ELEMENTSOF(parts); i++) {
                struct timespec t0, t1;
                clock_gettime(CLOCK_MONOTONIC, &t0);
                if (parts[i].fn(db, d) < 0)
                        return EXIT_FAIL;
                clock_gettime(CLOCK_MONOTONIC, &t1);
                log_debug("diff: %s took %.0f ms", parts[i].name, timespec_diff_ms(&t0, &t1));
        }

        struct diff_print_options po = {
                .out = stdout,
                .limit = limit >= 0 ? (size_t)limit : json ? 0 : DIFF_TEXT_LIMIT,
                .human = human >= 0 ? human : isatty(fileno(stdout)),
                .color = !json && output_color_wanted(stdout),
        };
        /* a big diff is tens of megabytes of JSON: fewer, larger writes */
        if (json)
                setvbuf(stdout, NULL, _IOFBF, 1 << 16);
        int r = json ? diff_json_print(d, &po) : diff_text_print(d, &po);
        if (r < 0)
                return EXIT_FAIL;
        return fail_on_leak && diff_new_leaks(d) > 0 ? EXIT_LEAK : EXIT_OK;
}
