/*
 * `memsnap analyze CORE [-o FILE.db]`: runs every stage of stages.h over a
 * core and writes the database.  Everything a stage cannot read becomes a
 * row in `warnings`; only an unreadable core or an unwritable database
 * fails the command.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/options.h"
#include "common/stack_frames.h"
#include "common/units.h"
#include "stages.h"

#define FRAMES_MAX 100000
#define SEGMENTS_MAX CORE_SEGMENTS_MAX

static const char analyze_about[] =
        "Turn a core file (from memsnap capture, gdb's gcore or the kernel) into a\n"
        "SQLite database: segments, modules, threads and frames, glibc malloc arenas\n"
        "and every heap chunk, pointers between blocks and leak verdicts.\n";

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
        _cleanup_(analysis_free) struct analysis a = ANALYSIS_INIT;
        _cleanup_free_ char *db_default = NULL;

        a.opt.max_frames = STACK_FRAMES_DEFAULT;
        a.opt.max_segments = SEGMENTS_DEFAULT;
        const struct option_spec options[] = {
                OPTION_STRING('o', "output", "FILE", a.opt.db_path, "database to write (default: CORE with .db)"),
                OPTION_FLAG('f', "force", a.opt.force, "replace FILE if it exists"),
                OPTION_STRING('e', "exe", "PATH", a.opt.executable,
                              "the program's executable, when not where the core says"),
                OPTION_STRING(0, "debuginfo-path", "DIRS", a.opt.debuginfo_path,
                              "colon-separated folders for separate debug info, instead of the default "
                              "(/usr/lib/debug)"),
                OPTION_FLAG(0, "no-debuginfo", a.opt.no_debuginfo,
                            "use no separate debug info: symbols from the files only"),
                OPTION_FLAG(0, "core-only", a.opt.core_only,
                            "open no file but the core: modules, symbols and unwind tables from what the core "
                            "holds alone"),
                OPTION_UNSIGNED(0, "max-segments", "N", a.opt.max_segments, 1, SEGMENTS_MAX,
                                "refuse a core with more than N segments or mapped files (default {default})"),
                OPTION_UNSIGNED('n', "max-frames", "N", a.opt.max_frames, 1, FRAMES_MAX,
                                "frames per thread (default {default})"),
                OPTION_FLAG('q', "quiet", a.opt.quiet, "print errors only"),
                OPTION_FLAG('v', "verbose", a.opt.verbose, "print every warning as it is found"),
        };
        const struct options_command cli = {
                .name = "analyze",
                .usage = "[OPTIONS] CORE",
                .about = analyze_about,
                .epilogue = "Exit status: 0 database written (see its warnings table), 1 failure,\n"
                            "2 bad usage.\n",
                .options = options,
                .noptions = ELEMENTSOF(options),
        };

        int first = options_parse(&cli, argc, argv);
        if (first <= 0)
                return first == 0 ? EXIT_OK : EXIT_USAGE;
        if (first != argc - 1) {
                if (first == argc)
                        log_error("analyze needs a core file: memsnap analyze [OPTIONS] CORE (see 'memsnap analyze --help')");
                else
                        log_error("analyze takes one core file, not '%s' and '%s'%s", argv[first], argv[first + 1],
                                  first + 2 < argc ? " and more" : "");
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
        a.opt.core_path = argv[first];
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
