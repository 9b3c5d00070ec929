/*
 * `memsnap capture PID`: the command line of capture.c.  Parses the options
 * into struct capture_options, answers --help, and maps the outcome to the
 * exit codes of builtin.h (2 for a bad command line, 1 for a failed capture).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "capture.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/options.h"
#include "common/parse_number.h"
#include "common/segment_kind.h"
#include "common/suggest.h"
#include "interrupt.h"
#include "live_stacks.h"
#include "parallel_read.h"
#include "pid_operand.h"
#include "proc_read.h"

static const char capture_about[] =
        "Snapshot a running process into an ELF core file that gdb, eu-stack and\n"
        "memsnap analyze read.  The process is stopped only while its registers and\n"
        "memory are copied (\"paused N ms\" says how long), then runs on while the\n"
        "file is written.  It is never left stopped or traced, whatever happens.\n"
        "\n"
        "Every mapping becomes a PT_LOAD.  Pages never touched stay holes in a sparse\n"
        "file, and nothing is read that would fault a page into the process.\n";

static const char capture_epilogue[] =
        "What is not dumped is listed in the core's MEMSNAP skipped note with the\n"
        "reason; docs/core-format.md describes the file note by note.\n"
        "\n"
        "Exit status: 0 written, 1 failed (the message says why), 2 bad usage.\n";

/* --segments: kind names, comma-separated, into select_options.kinds. */
static int parse_segments(const struct option_spec *row, const char *arg)
{
        struct select_options *o = row->dest;
        const char *bad;
        size_t bad_len;

        if (segment_kind_parse_list(arg, &o->kinds, &bad, &bad_len) == 0)
                return 0;

        const char *names[SEG_KIND_COUNT + 1];
        char word[SUGGEST_WORD_MAX + 1], near[256];
        for (int k = 0; k < SEG_KIND_COUNT; k++)
                names[k] = segment_kind_name(k);
        names[SEG_KIND_COUNT] = NULL;
        snprintf(word, sizeof(word), "%.*s", (int)MIN(bad_len, (size_t)SUGGEST_WORD_MAX), bad);
        if (suggest_nearest(word, names, near, sizeof(near)) > 0)
                return log_error_errno(EINVAL, "unknown segment kind '%.*s' in --segments; did you mean %s?",
                                       (int)bad_len, bad, near);
        return log_error_errno(EINVAL, "unknown segment kind '%.*s' in --segments; see 'memsnap capture --help'",
                               (int)bad_len, bad);
}

/* A hex address as /proc/PID/maps prints it ("0x" allowed), all of [s, end). */
static bool parse_address(const char *s, const char *end, uint64_t *out)
{
        if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
                s += 2;
        return parse_number_hex_u64(&s, end, out) && s == end;
}

/* --range START-END into select_options. */
static int parse_range(const struct option_spec *row, const char *arg)
{
        struct select_options *o = row->dest;
        const char *dash = strchr(arg, '-');

        if (!dash || !parse_address(arg, dash, &o->range_start) ||
            !parse_address(dash + 1, dash + strlen(dash), &o->range_end) || o->range_end <= o->range_start)
                return log_error_errno(EINVAL, "invalid --range '%s': expected START-END in hex, START < END", arg);
        o->have_range = true;
        return 0;
}

int cmd_capture(int argc, char **argv)
{
        struct capture_options o = { .max_frames = LIVE_STACKS_DEFAULT_FRAMES };
        bool frames_given = false;
        int level = -1;

        select_options_default(&o.select);
        const struct option_spec options[] = {
                OPTION_STRING('o', "output", "FILE", o.output, "write the core to FILE (default: core.PID here)"),
                OPTION_FLAG('f', "force", o.force, "replace FILE if it exists"),
                OPTION_CALLBACK(0, "segments", "KINDS", o.select, parse_segments,
                                "dump only mappings of these kinds, comma-separated: text rodata data bss heap "
                                "stack thread_stack anon file shm vdso (vvar, vsyscall and guard are never "
                                "readable); heap includes glibc's arena heaps and mmapped chunks",
                                .given = &o.select.kinds_given),
                OPTION_CALLBACK(0, "range", "START-END", o.select, parse_range,
                                "dump only mappings that overlap [START, END), hex addresses as /proc/PID/maps "
                                "prints them"),
                OPTION_STRING(0, "path", "GLOB", o.select.path_glob,
                              "dump only mappings whose path matches GLOB (fnmatch: '*libssl*', '[heap]')"),
                OPTION_SIZE(0, "max-size", "SIZE", o.select.max_size, 1, UINT64_MAX,
                            "skip mappings larger than SIZE (4096, 64K, 512M, 2G)"),
                OPTION_FLAG(0, "with-text", o.select.with_text,
                            "also dump bytes that are on disk: unchanged read-only file mappings (code) and "
                            "shared file mappings"),
                OPTION_FLAG(0, "read-swapped", o.read_swapped, "also read swapped-out pages (swaps them back in)"),
                OPTION_FLAG(0, "stacks", o.stacks, "record every thread's backtrace (libunwind) in the core"),
                OPTION_UNSIGNED('n', "frames", "N", o.max_frames, 0, 1000000,
                                "with --stacks: at most N frames a thread (default {default}, 0 for no limit)",
                                .given = &frames_given),
                /* 0 means "no stage": everything is written while the process is stopped */
                OPTION_SIZE(0, "stage-limit", "SIZE", o.stage_limit, 0, UINT64_MAX,
                            "memory for copying while the process is stopped (default: half of what the system "
                            "can spare; 0: none); beyond it, bytes go to the file while it is stopped",
                            .given = &o.stage_limit_given),
                OPTION_UNSIGNED(0, "copy-threads", "N", o.copy_threads, 1, PARALLEL_READ_MAX_THREADS,
                                "threads copying memory while the process is stopped (default: one per CPU, at "
                                "least 2, at most " OPTIONS_STR(PARALLEL_READ_MAX_THREADS) ")"),
                OPTION_SET('q', "quiet", level, LOG_LEVEL_ERROR, "print errors only", .given = &o.quiet),
                OPTION_SET('v', "verbose", level, LOG_LEVEL_DEBUG, "print debugging messages"),
        };
        const struct options_command cli = {
                .name = "capture",
                .usage = "PID [-o FILE] [OPTIONS]",
                .about = capture_about,
                .epilogue = capture_epilogue,
                .options = options,
                .noptions = ELEMENTSOF(options),
        };

        /*
         * Before anything else: "exit 1, interrupted, nothing written" holds
         * from here on, and a signal after a capture succeeded cannot hide
         * the success behind death by signal (interrupt.h).
         */
        int r = interrupt_block_early();
        if (r < 0) {
                log_error_errno(r, "cannot block signals: %m");
                return EXIT_FAIL;
        }
        int first = options_parse(&cli, argc, argv);
        if (first <= 0)
                return first == 0 ? EXIT_OK : EXIT_USAGE;
        /* the last of -q and -v wins */
        if (level >= 0)
                log_set_level(level);
        if (pid_operand_parse("capture", argc, argv, first, &o.pid) < 0)
                return EXIT_USAGE;
        if (o.output && strcmp(o.output, "-") == 0) {
                /* the core is written in place, holes and all, then linked under its name */
                log_error("a core cannot go to standard output: it is a sparse file written in place; "
                          "give -o a file name ('./-' for a file named '-')");
                return EXIT_USAGE;
        }
        if (frames_given && !o.stacks) {
                log_error("--frames needs --stacks");
                return EXIT_USAGE;
        }
        return capture_run(&o) < 0 ? EXIT_FAIL : EXIT_OK;
}
