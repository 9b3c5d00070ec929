/*
 * `memsnap watch TARGET --every DURATION [--count N] [-d DIR] [--keep N]
 * [--fail-on-leak]`: the command line of watch.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "builtin.h"
#include "capture/capture_options.h"
#include "capture/pid_operand.h"
#include "common/log.h"
#include "common/options.h"
#include "common/units.h"
#include "watch.h"

static const char watch_about[] =
        "Snapshot a running process every DURATION, as memsnap snap does (a database\n"
        "NAME.PID.YYYYMMDDTHHMMSSZ.db in DIR each time, no core), and after each one\n"
        "print a line: its number, the time it began (UTC), how long the process was\n"
        "paused, its RSS, its used heap, the new definite leaks and the growth of the\n"
        "used heap since the previous snapshot and since the first (counted as\n"
        "memsnap diff counts them), and the database.\n"
        "\n"
        "The watch ends after --count snapshots, when the process exits, or on\n"
        "SIGINT, SIGTERM or SIGHUP, and prints a summary: why it ended, what changed\n"
        "since the first snapshot, and the databases kept.  A snapshot in flight when\n"
        "a signal comes is completed if its capture is over (the database is then\n"
        "being written), else discarded: no database is ever half written, no core\n"
        "is left.\n";

static const char watch_epilogue[] =
        PID_OPERAND_HELP
        "\n"
        "DURATION is a whole number with a unit: 30s, 10m, 2h, 1d (ms, s, m, h, d; a\n"
        "bare number is seconds), at least 1s.  It runs from one snapshot's start to\n"
        "the next one's; a snapshot that takes longer delays the next.\n"
        "\n"
        "Exit status: 0 done, 1 failure (a snapshot failed while the process ran on,\n"
        "or no process has that name), 2 bad usage (or a name several processes\n"
        "carry), 3 new definite leaks with --fail-on-leak.\n";

/* --every into watch_options.every_ms */
static int parse_every(const struct option_spec *row, const char *arg)
{
        uint64_t *ms = row->dest;
        int r = units_parse_duration_ms(arg, ms);
        if (r == -ERANGE)
                return log_error_errno(EINVAL, "invalid --every '%s': too long", arg);
        if (r < 0)
                return log_error_errno(EINVAL, "invalid --every '%s': expected a number and a unit (30s, 10m, 2h)", arg);
        if (*ms < WATCH_EVERY_MIN_MS)
                return log_error_errno(EINVAL, "invalid --every '%s': at least 1s (snapshot names have whole seconds)",
                                       arg);
        return 0;
}

int cmd_watch(int argc, char **argv)
{
        struct capture_options_cli c;
        struct watch_options wo = { .snap = { .dir = "." } };
        bool every_given = false;

        capture_options_init(&c);
        struct option_spec options[6 + CAPTURE_OPTIONS_ROWS + 1] = {
                OPTION_CALLBACK(0, "every", "DURATION", wo.every_ms, parse_every,
                                "take a snapshot every DURATION (30s, 10m, 2h); required", .given = &every_given),
                OPTION_UNSIGNED(0, "count", "N", wo.count, 1, UINT32_MAX,
                                "stop after N snapshots (default: until the process exits or a signal)"),
                OPTION_STRING('d', "dir", "DIR", wo.snap.dir, "write the databases into DIR (default: here)"),
                OPTION_UNSIGNED(0, "keep", "N", wo.keep, 2, UINT32_MAX,
                                "keep at most N databases: the first (the baseline, always kept) and the N-1 newest; "
                                "older ones are removed once compared (default: all)"),
                OPTION_FLAG(0, "fail-on-leak", wo.fail_on_leak,
                            "exit 3 when the last snapshot has new definite leaks against the first, as memsnap "
                            "diff --fail-on-leak FIRST LAST does"),
                OPTION_FLAG(0, "keep-core", wo.snap.keep_core, "keep each core beside its database"),
        };
        size_t n = 6;
        n += capture_options_rows(&c, options + n);
        options[n++] = (struct option_spec)OPTION_SET('v', "verbose", c.level, LOG_LEVEL_DEBUG,
                                                      "print what each capture and analysis says, and debugging "
                                                      "messages");
        const struct options_command cli = {
                .name = "watch",
                .usage = "TARGET --every DURATION [--count N] [-d DIR] [--keep N] [--fail-on-leak] [CAPTURE OPTIONS]",
                .about = watch_about,
                .epilogue = watch_epilogue,
                .options = options,
                .noptions = n,
        };

        /* Signals blocked for the whole run: the wait reads them from a signalfd, a snapshot sees them pending (snap.h). */
        int status;
        if (!capture_options_parse(&c, &cli, argc, argv, &status))
                return status;
        if (!every_given) {
                log_error("watch needs --every DURATION: how often to take a snapshot (30s, 10m, 2h)");
                return EXIT_USAGE;
        }
        /* Each snapshot's capture and analysis speak only of errors, unless -v: the lines say the rest. */
        bool verbose = c.level == LOG_LEVEL_DEBUG;
        log_set_level(verbose ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERROR);
        wo.snap.quiet = !verbose;
        wo.snap.capture = c.o;
        return watch_run(&wo);
}
