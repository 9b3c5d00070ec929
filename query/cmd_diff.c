/*
 * `memsnap diff BEFORE.db AFTER.db`: what was allocated, freed and leaked
 * between two snapshots of one program (diff.h), printed for people or as
 * JSON, with an exit status a CI job can gate on (--fail-on-leak).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "builtin.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/timespec.h"
#include "common/units.h"
#include "db_open.h"
#include "diff.h"
#include "diff_output.h"
#include "output_format.h"

/* How many entries of each list the text shows unless --limit says otherwise. */
#define DIFF_TEXT_LIMIT 20

enum {
        OPT_FAIL_ON_LEAK = 0x100,
        OPT_FORCE,
        OPT_LIMIT,
        OPT_BYTES,
        OPT_HUMAN,
        OPT_MAX_STEPS,
};

static void diff_help(FILE *f)
{
        fprintf(f, "usage: memsnap diff [OPTIONS] BEFORE.db AFTER.db\n\n"
                   "Compare two snapshots of the same program: blocks added, removed and changed,\n"
                   "new definite leaks, growth by type and size class, mappings and threads.\n"
                   "A block of AFTER is added when BEFORE has no used block with the same address\n"
                   "and size (and content hash, where both have one); blocks at the same address\n"
                   "whose size, arena or leak verdict differs are changed.  The pid may differ\n"
                   "(a restarted service); the program may not.\n\n"
                   "options:\n"
                   "  -f, --format FORMAT  text (for people, the default) or json (one object:\n"
                   "                       before, after, summary, added, removed, changed,\n"
                   "                       growth, segments, threads)\n"
                   "      --fail-on-leak   exit 3 when AFTER has new definite leaks\n"
                   "      --force          compare snapshots of different programs (build-ids)\n"
                   "      --limit N        list at most N entries of each list (default %d in\n"
                   "                       text, all in json; 0 for all); counts stay complete\n"
                   "      --bytes          text: sizes as exact byte counts (the default in a pipe)\n"
                   "      --human          text: sizes in B/KiB/MiB (the default on a terminal)\n"
                   DB_MAX_STEPS_HELP
                   "                       per connection: one reads both, one each side's blocks\n"
                   "  -h, --help           show this help\n\n"
                   "Exit status: 0 done (no new definite leaks, or no --fail-on-leak), 1 failure,\n"
                   "2 bad usage, 3 new definite leaks with --fail-on-leak.\n",
                DIFF_TEXT_LIMIT);
}

static void diff_destroy(struct diff *d)
{
        diff_free(d);
        free(d);
}
DEFINE_POINTER_CLEANUP(struct diff, diff_destroy)

int cmd_diff(int argc, char **argv)
{
        static const struct option options[] = {
                { "format", required_argument, NULL, 'f' },
                { "fail-on-leak", no_argument, NULL, OPT_FAIL_ON_LEAK },
                { "force", no_argument, NULL, OPT_FORCE },
                { "limit", required_argument, NULL, OPT_LIMIT },
                { "bytes", no_argument, NULL, OPT_BYTES },
                { "human", no_argument, NULL, OPT_HUMAN },
                { "max-steps", required_argument, NULL, OPT_MAX_STEPS },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        bool json = false, fail_on_leak = false, force = false;
        int human = -1;
        int64_t limit = -1;
        uint64_t max_steps = DB_MAX_STEPS_DEFAULT;
        int c;

        /* "+": options end at the first database, as they do for query and report */
        optind = 0;
        while ((c = getopt_long(argc, argv, "+f:h", options, NULL)) != -1) {
                switch (c) {
                case 'f':
                        if (strcmp(optarg, "json") == 0)
                                json = true;
                        else if (strcmp(optarg, "text") == 0)
                                json = false;
                        else {
                                log_error("unknown format '%s'; diff prints text or json", optarg);
                                return EXIT_USAGE;
                        }
                        break;
                case OPT_FAIL_ON_LEAK:
                        fail_on_leak = true;
                        break;
                case OPT_FORCE:
                        force = true;
                        break;
                case OPT_LIMIT: {
                        uint64_t v;
                        if (units_parse_u64(optarg, &v) < 0 || v > INT64_MAX) {
                                log_error("--limit takes a count (0 for all), not '%s'", optarg);
                                return EXIT_USAGE;
                        }
                        limit = (int64_t)v;
                        break;
                }
                case OPT_BYTES:
                        human = 0;
                        break;
                case OPT_HUMAN:
                        human = 1;
                        break;
                case OPT_MAX_STEPS:
                        if (db_max_steps_parse(optarg, &max_steps) < 0)
                                return EXIT_USAGE;
                        break;
                case 'h':
                        diff_help(stdout);
                        return EXIT_OK;
                default:
                        diff_help(stderr);
                        return EXIT_USAGE;
                }
        }
        for (int i = optind + 1; i < argc; i++)
                if (argv[i][0] == '-' && access(argv[i], F_OK) < 0) {
                        log_error("'%s' comes after the databases: options go before them "
                                  "(memsnap diff [OPTIONS] BEFORE.db AFTER.db)", argv[i]);
                        return EXIT_USAGE;
                }
        if (argc - optind != 2) {
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
        if (diff_open(argv[optind], argv[optind + 1], &d->guard, &db) < 0)
                return EXIT_FAIL;

        d->before.path = argv[optind];
        d->after.path = argv[optind + 1];
        /* each part timed for MEMSNAP_DEBUG=1, which is how bench/diff's figures are read */
        static const struct {
                const char *name;
                int (*fn)(sqlite3 *db, struct diff *d);
        } parts[] = {
                { "blocks", diff_chunks },
                { "segments", diff_segments },
                { "threads", diff_threads },
        };
        if (diff_check_same_program(db, d, force) < 0)
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
        int r = json ? diff_print_json(d, &po) : diff_print_text(d, &po);
        if (r < 0)
                return EXIT_FAIL;
        return fail_on_leak && diff_new_leaks(d) > 0 ? EXIT_LEAK : EXIT_OK;
}
