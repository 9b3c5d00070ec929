/* Implementation of capture_options.h: the capture's option rows, shared by every command that captures. */
#include "capture_options.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "builtin.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/parse_number.h"
#include "common/segment_kind.h"
#include "common/suggest.h"
#include "interrupt.h"
#include "live_stacks.h"
#include "parallel_read.h"
#include "pid_operand.h"

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

/* --method: enum capture_method's names, in its order. */
static const char *const capture_method_names[] = { "auto", "stop", "fork", NULL };

void capture_options_init(struct capture_options_cli *c)
{
        *c = (struct capture_options_cli){ .o = { .max_frames = LIVE_STACKS_DEFAULT_FRAMES }, .level = -1 };
        select_options_default(&c->o.select);
}

size_t capture_options_rows(struct capture_options_cli *c, struct option_spec *rows)
{
        struct capture_options *o = &c->o;
        const struct option_spec table[CAPTURE_OPTIONS_ROWS] = {
                OPTION_ENUM(0, "method", o->method, capture_method_names,
                            "how memory is taken (default {default}): stop copies it while every thread is "
                            "stopped; fork has the process clone itself (a raw clone, no SIGCHLD, no user code) "
                            "and copies the clone while the process runs, so the pause is the kernel's "
                            "page-table copy; auto forks unless fork is refused (seccomp, userfaultfd, vfork, "
                            "no pid or memory left: it says why) or there is less than 16 MiB to copy "
                            "(docs/capture.md)"),
                OPTION_CALLBACK(0, "segments", "KINDS", o->select, parse_segments,
                                "dump only mappings of these kinds, comma-separated: text rodata data bss heap "
                                "stack thread_stack anon file shm vdso (vvar, vsyscall and guard are never "
                                "readable); heap includes glibc's arena heaps and mmapped chunks",
                                .given = &o->select.kinds_given),
                OPTION_CALLBACK(0, "range", "START-END", o->select, parse_range,
                                "dump only mappings that overlap [START, END), hex addresses as /proc/PID/maps "
                                "prints them"),
                OPTION_STRING(0, "path", "GLOB", o->select.path_glob,
                              "dump only mappings whose path matches GLOB (fnmatch: '*libssl*', '[heap]')"),
                OPTION_SIZE(0, "max-size", "SIZE", o->select.max_size, 1, UINT64_MAX,
                            "skip mappings larger than SIZE (4096, 64K, 512M, 2G)"),
                OPTION_FLAG(0, "with-text", o->select.with_text,
                            "also dump bytes that are on disk: unchanged read-only file mappings (code) and "
                            "shared file mappings"),
                OPTION_FLAG(0, "read-swapped", o->read_swapped, "also read swapped-out pages (swaps them back in)"),
                OPTION_FLAG(0, "stacks", o->stacks, "record every thread's backtrace (libunwind) in the core"),
                OPTION_UNSIGNED('n', "frames", "N", o->max_frames, 0, 1000000,
                                "with --stacks: at most N frames a thread (default {default}, 0 for no limit)",
                                .given = &c->frames_given),
                /* 0 means "no stage": everything is written while the process is stopped */
                OPTION_SIZE(0, "stage-limit", "SIZE", o->stage_limit, 0, UINT64_MAX,
                            "memory for copying while the process is stopped (default: half of what the system "
                            "can spare; 0: none); beyond it, bytes go to the file while it is stopped",
                            .given = &o->stage_limit_given),
                OPTION_UNSIGNED(0, "copy-threads", "N", o->copy_threads, 1, PARALLEL_READ_MAX_THREADS,
                                "threads copying memory while the process is stopped (default: one per CPU, at "
                                "least 2, at most " OPTIONS_STR(PARALLEL_READ_MAX_THREADS) ")"),
        };
        memcpy(rows, table, sizeof(table));
        return CAPTURE_OPTIONS_ROWS;
}

size_t capture_options_verbosity_rows(struct capture_options_cli *c, struct option_spec *rows)
{
        const struct option_spec table[CAPTURE_OPTIONS_VERBOSITY_ROWS] = {
                OPTION_SET('q', "quiet", c->level, LOG_LEVEL_ERROR, "print errors only", .given = &c->o.quiet),
                OPTION_SET('v', "verbose", c->level, LOG_LEVEL_DEBUG, "print debugging messages"),
        };
        memcpy(rows, table, sizeof(table));
        return CAPTURE_OPTIONS_VERBOSITY_ROWS;
}

bool capture_options_parse(struct capture_options_cli *c, const struct options_command *cli, int argc, char **argv,
                           int *status)
{
        int r = interrupt_block_early();
        if (r < 0) {
                log_error_errno(r, "cannot block signals: %m");
                *status = EXIT_FAIL;
                return false;
        }
        int first = options_parse(cli, argc, argv);
        if (first <= 0) {
                *status = first == 0 ? EXIT_OK : EXIT_USAGE;
                return false;
        }
        r = pid_operand_parse(cli->name, argc, argv, first, &c->o.pid);
        if (r < 0) {
                *status = pid_operand_exit(r);
                return false;
        }
        if (c->frames_given && !c->o.stacks) {
                log_error("--frames needs --stacks");
                *status = EXIT_USAGE;
                return false;
        }
        if (c->level >= 0)
                log_set_level(c->level);
        return true;
}
