/*
 * `memsnap analyze CORE [-o FILE.db]`: runs every stage of stages.h over a
 * core and writes the database.  Everything a stage cannot read becomes a
 * row in `warnings`; only an unreadable core or an unwritable database
 * fails the command.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/stack_frames.h"
#include "common/units.h"
#include "stages.h"

#define FRAMES_MAX 100000
#define SEGMENTS_MAX CORE_SEGMENTS_MAX

static void usage(FILE *f)
{
        fprintf(f,
                "usage: memsnap analyze [OPTIONS] CORE\n"
                "\n"
                "Turn a core file (from memsnap capture, gdb's gcore or the kernel) into a\n"
                "SQLite database: segments, modules, threads and frames, glibc malloc arenas\n"
                "and every heap chunk, pointers between blocks and leak verdicts.\n"
                "\n"
                "options:\n"
                "  -o, --output FILE         database to write (default: CORE with .db)\n"
                "  -f, --force               replace FILE if it exists\n"
                "  -e, --exe PATH            the program's executable, when not where the core says\n"
                "      --debuginfo-path DIRS colon-separated folders for separate debug info,\n"
                "                            instead of the default (/usr/lib/debug)\n"
                "      --no-debuginfo        use no separate debug info: symbols from the files only\n"
                "      --core-only           open no file but the core: modules, symbols and\n"
                "                            unwind tables from what the core holds alone\n"
                "      --max-segments N      refuse a core with more than N segments or mapped\n"
                "                            files (default %d)\n"
                "  -n, --max-frames N        frames per thread (default %d)\n"
                "  -q, --quiet               print errors only\n"
                "  -v, --verbose             print every warning as it is found\n"
                "  -h, --help                show this help\n"
                "\n"
                "Exit status: 0 database written (see its warnings table), 1 failure, 2 bad usage.\n",
                SEGMENTS_DEFAULT, STACK_FRAMES_DEFAULT);
}

static char *default_db_path(const char *core)
{
        char *out = NULL;
        size_t n = strlen(core);
        if (n > 5 && strcmp(core + n - 5, ".core") == 0) {
                if (asprintf(&out, "%.*s.db", (int)(n - 5), core) < 0)
                        return NULL;
        } else if (asprintf(&out, "%s.db", core) < 0) {
                return NULL;
        }
        return out;
}

static void print_summary(const struct analysis *a)
{
        size_t used = 0, free_chunks = 0;
        uint64_t used_bytes = 0;
        for (size_t i = 0; i < a->heap.nchunks; i++) {
                if (a->heap.chunks[i].state == CHUNK_USED) {
                        used++;
                        used_bytes += a->heap.chunks[i].size;
                } else if (a->heap.chunks[i].state == CHUNK_FREE) {
                        free_chunks++;
                }
        }
        char ub[UNITS_BUF_MAX];
        log_info("wrote '%s': %zu segments, %zu modules, %zu threads, %zu arenas, %zu chunks (%zu used, %s; %zu free), %zu warnings",
                 a->opt.db_path, a->segments.n, a->modules.n, a->threads.n, a->heap.narenas, a->heap.nchunks, used,
                 units_format_bytes(ub, used_bytes), free_chunks, a->warnings.n);
}

int cmd_analyze(int argc, char **argv)
{
        enum { OPT_DEBUGINFO_PATH = 256, OPT_NO_DEBUGINFO, OPT_CORE_ONLY, OPT_MAX_SEGMENTS };
        static const struct option options[] = {
                { "output", required_argument, NULL, 'o' },
                { "force", no_argument, NULL, 'f' },
                { "exe", required_argument, NULL, 'e' },
                { "debuginfo-path", required_argument, NULL, OPT_DEBUGINFO_PATH },
                { "no-debuginfo", no_argument, NULL, OPT_NO_DEBUGINFO },
                { "core-only", no_argument, NULL, OPT_CORE_ONLY },
                { "max-segments", required_argument, NULL, OPT_MAX_SEGMENTS },
                { "max-frames", required_argument, NULL, 'n' },
                { "quiet", no_argument, NULL, 'q' },
                { "verbose", no_argument, NULL, 'v' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_(analysis_free) struct analysis a = ANALYSIS_INIT;
        _cleanup_free_ char *db_default = NULL;
        int c;

        a.opt.max_frames = STACK_FRAMES_DEFAULT;
        a.opt.max_segments = SEGMENTS_DEFAULT;
        optind = 0;
        while ((c = getopt_long(argc, argv, "o:fe:n:qvh", options, NULL)) != -1) {
                switch (c) {
                case 'o': a.opt.db_path = optarg; break;
                case 'f': a.opt.force = true; break;
                case 'e': a.opt.executable = optarg; break;
                case OPT_DEBUGINFO_PATH: a.opt.debuginfo_path = optarg; break;
                case OPT_NO_DEBUGINFO: a.opt.no_debuginfo = true; break;
                case OPT_CORE_ONLY: a.opt.core_only = true; break;
                case OPT_MAX_SEGMENTS: {
                        uint64_t n;
                        if (units_parse_u64(optarg, &n) < 0 || n == 0 || n > SEGMENTS_MAX) {
                                log_error("--max-segments takes a number from 1 to %u, not '%s'", SEGMENTS_MAX, optarg);
                                return EXIT_USAGE;
                        }
                        a.opt.max_segments = (size_t)n;
                        break;
                }
                case 'n': {
                        uint64_t n;
                        if (units_parse_u64(optarg, &n) < 0 || n == 0 || n > FRAMES_MAX) {
                                log_error("--max-frames takes a number from 1 to %d, not '%s'", FRAMES_MAX, optarg);
                                return EXIT_USAGE;
                        }
                        a.opt.max_frames = (unsigned)n;
                        break;
                }
                case 'q': a.opt.quiet = true; break;
                case 'v': a.opt.verbose = true; break;
                case 'h': usage(stdout); return EXIT_OK;
                default: usage(stderr); return EXIT_USAGE;
                }
        }
        if (optind != argc - 1) {
                if (optind == argc)
                        log_error("analyze needs a core file");
                else
                        log_error("analyze takes one core file");
                usage(stderr);
                return EXIT_USAGE;
        }
        if (a.opt.db_path && strcmp(a.opt.db_path, "-") == 0) {
                log_error("a database cannot go to standard output: SQLite writes a file it can seek in; "
                          "give -o a file name ('./-' for a file named '-')");
                return EXIT_USAGE;
        }
        if (a.opt.debuginfo_path && a.opt.no_debuginfo) {
                log_error("--debuginfo-path and --no-debuginfo contradict each other");
                return EXIT_USAGE;
        }
        if (a.opt.core_only && (a.opt.executable || a.opt.debuginfo_path)) {
                log_error("--core-only opens no file but the core: it contradicts %s",
                          a.opt.executable ? "--exe" : "--debuginfo-path");
                return EXIT_USAGE;
        }
        a.opt.core_path = argv[optind];
        if (!a.opt.db_path) {
                db_default = default_db_path(a.opt.core_path);
                if (!db_default) {
                        log_error_errno(ENOMEM, "cannot analyze '%s': %m", a.opt.core_path);
                        return EXIT_FAIL;
                }
                a.opt.db_path = db_default;
        }
        if (a.opt.quiet)
                log_set_level(LOG_LEVEL_ERROR);
        a.warnings.echo = a.opt.verbose;

        if (db_write_open(&a) < 0 || analysis_run(&a, STAGE_EXPLAIN) < 0)
                return EXIT_FAIL;
        log_debug("stage database");
        if (db_write(&a) < 0)
                return EXIT_FAIL;
        if (!a.opt.quiet)
                print_summary(&a);
        return EXIT_OK;
}
