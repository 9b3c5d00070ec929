/*
 * `memsnap capture PID`: the command line of capture.c.  Parses the options
 * into struct capture_options, answers --help, and maps the outcome to the
 * exit codes of builtin.h (2 for a bad command line, 1 for a failed capture).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "capture.h"
#include "common/log.h"
#include "common/parse_number.h"
#include "common/segment_kind.h"
#include "common/units.h"
#include "interrupt.h"
#include "live_stacks.h"
#include "parallel_read.h"
#include "pid_operand.h"
#include "proc_read.h"

enum {
        OPT_SEGMENTS = 0x100,
        OPT_RANGE,
        OPT_PATH,
        OPT_MAX_SIZE,
        OPT_WITH_TEXT,
        OPT_READ_SWAPPED,
        OPT_STACKS,
        OPT_STAGE_LIMIT,
        OPT_COPY_THREADS,
};

static void usage(FILE *f)
{
        fputs("usage: memsnap capture PID [-o FILE] [OPTIONS]\n"
              "\n"
              "Snapshot a running process into an ELF core file that gdb, eu-stack and\n"
              "memsnap analyze read.  The process is stopped only while its registers and\n"
              "memory are copied (\"paused N ms\" says how long), then runs on while the\n"
              "file is written.  It is never left stopped or traced, whatever happens.\n"
              "\n"
              "Every mapping becomes a PT_LOAD.  Pages never touched stay holes in a sparse\n"
              "file, and nothing is read that would fault a page into the process.\n"
              "\n"
              "options:\n"
              "  -o, --output FILE      write the core to FILE (default: core.PID here)\n"
              "  -f, --force            replace FILE if it exists\n"
              "      --segments KINDS   dump only mappings of these kinds, comma-separated:\n"
              "                         text rodata data bss heap stack thread_stack anon\n"
              "                         file shm vdso (vvar, vsyscall and guard are never\n"
              "                         readable); heap includes glibc's arena heaps and\n"
              "                         mmapped chunks\n"
              "      --range START-END  dump only mappings that overlap [START, END), hex\n"
              "                         addresses as /proc/PID/maps prints them\n"
              "      --path GLOB        dump only mappings whose path matches GLOB\n"
              "                         (fnmatch: '*libssl*', '[heap]')\n"
              "      --max-size SIZE    skip mappings larger than SIZE (4096, 64K, 512M, 2G)\n"
              "      --with-text        also dump bytes that are on disk: unchanged read-only\n"
              "                         file mappings (code) and shared file mappings\n"
              "      --read-swapped     also read swapped-out pages (swaps them back in)\n"
              "      --stacks           record every thread's backtrace (libunwind) in the core\n"
              "  -n, --frames N         with --stacks: at most N frames a thread (default 256,\n"
              "                         0 for no limit)\n"
              "      --stage-limit SIZE memory for copying while the process is stopped\n"
              "                         (default: half of what the system can spare); beyond\n"
              "                         it, bytes go to the file while it is stopped\n"
              "      --copy-threads N   threads copying memory while the process is stopped\n"
              "                         (default: one per CPU, at least 2, at most 16)\n"
              "  -q, --quiet            print errors only\n"
              "  -v, --verbose          print debugging messages\n"
              "  -h, --help             show this help\n"
              "\n"
              "What is not dumped is listed in the core's MEMSNAP skipped note with the\n"
              "reason; docs/core-format.md describes the file note by note.\n"
              "\n"
              "Exit status: 0 written, 1 failed (the message says why), 2 bad usage.\n",
              f);
}

/* A hex address as /proc/PID/maps prints it ("0x" allowed), all of [s, end). */
static bool parse_address(const char *s, const char *end, uint64_t *out)
{
        if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
                s += 2;
        return parse_hex_u64(&s, end, out) && s == end;
}

static int parse_range(const char *arg, struct select_options *o)
{
        const char *dash = strchr(arg, '-');
        if (!dash)
                return -EINVAL;
        if (!parse_address(arg, dash, &o->range_start) || !parse_address(dash + 1, dash + strlen(dash), &o->range_end) ||
            o->range_end <= o->range_start)
                return -EINVAL;
        o->have_range = true;
        return 0;
}

int cmd_capture(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "output", required_argument, NULL, 'o' },
                { "force", no_argument, NULL, 'f' },
                { "segments", required_argument, NULL, OPT_SEGMENTS },
                { "range", required_argument, NULL, OPT_RANGE },
                { "path", required_argument, NULL, OPT_PATH },
                { "max-size", required_argument, NULL, OPT_MAX_SIZE },
                { "with-text", no_argument, NULL, OPT_WITH_TEXT },
                { "read-swapped", no_argument, NULL, OPT_READ_SWAPPED },
                { "stacks", no_argument, NULL, OPT_STACKS },
                { "frames", required_argument, NULL, 'n' },
                { "stage-limit", required_argument, NULL, OPT_STAGE_LIMIT },
                { "copy-threads", required_argument, NULL, OPT_COPY_THREADS },
                { "quiet", no_argument, NULL, 'q' },
                { "verbose", no_argument, NULL, 'v' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        struct capture_options o = { .max_frames = LIVE_STACKS_DEFAULT_FRAMES };
        bool frames_given = false;
        int c;

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
        select_options_default(&o.select);
        optind = 0;
        while ((c = getopt_long(argc, argv, "o:fn:qvh", longopts, NULL)) != -1) {
                uint64_t v;
                switch (c) {
                case 'o':
                        o.output = optarg;
                        break;
                case 'f':
                        o.force = true;
                        break;
                case OPT_SEGMENTS: {
                        const char *bad;
                        size_t bad_len;
                        if (segment_kind_parse_list(optarg, &o.select.kinds, &bad, &bad_len) < 0) {
                                log_error("unknown segment kind '%.*s' in --segments; see 'memsnap capture --help'",
                                          (int)bad_len, bad);
                                return EXIT_USAGE;
                        }
                        o.select.kinds_given = true;
                        break;
                }
                case OPT_RANGE:
                        if (parse_range(optarg, &o.select) < 0) {
                                log_error("invalid --range '%s': expected START-END in hex, START < END", optarg);
                                return EXIT_USAGE;
                        }
                        break;
                case OPT_PATH:
                        o.select.path_glob = optarg;
                        break;
                case OPT_MAX_SIZE:
                        if (units_parse_bytes(optarg, &v) < 0 || v == 0) {
                                log_error("invalid --max-size '%s': expected a size such as 4096, 64K, 512M", optarg);
                                return EXIT_USAGE;
                        }
                        o.select.max_size = v;
                        break;
                case OPT_WITH_TEXT:
                        o.select.with_text = true;
                        break;
                case OPT_READ_SWAPPED:
                        o.read_swapped = true;
                        break;
                case OPT_STACKS:
                        o.stacks = true;
                        break;
                case 'n':
                        if (units_parse_u64(optarg, &v) < 0 || v > 1000000) {
                                log_error("invalid --frames '%s': expected a count from 0 to 1000000", optarg);
                                return EXIT_USAGE;
                        }
                        o.max_frames = (unsigned)v;
                        frames_given = true;
                        break;
                case OPT_STAGE_LIMIT:
                        if (units_parse_bytes(optarg, &v) < 0) {
                                log_error("invalid --stage-limit '%s': expected a size such as 0, 64M, 2G", optarg);
                                return EXIT_USAGE;
                        }
                        /* 0 means "no stage": everything is written while stopped. */
                        o.stage_limit = v;
                        o.stage_limit_given = true;
                        break;
                case OPT_COPY_THREADS:
                        if (units_parse_u64(optarg, &v) < 0 || v < 1 || v > PARALLEL_READ_MAX_THREADS) {
                                log_error("invalid --copy-threads '%s': expected a count from 1 to %u", optarg,
                                          PARALLEL_READ_MAX_THREADS);
                                return EXIT_USAGE;
                        }
                        o.copy_threads = (unsigned)v;
                        break;
                case 'q':
                        o.quiet = true;
                        log_set_level(LOG_LEVEL_ERROR);
                        break;
                case 'v':
                        log_set_level(LOG_LEVEL_DEBUG);
                        break;
                case 'h':
                        usage(stdout);
                        return EXIT_OK;
                default:
                        usage(stderr);
                        return EXIT_USAGE;
                }
        }
        if (pid_operand_parse("capture", argc, argv, optind, &o.pid) < 0)
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
