/*
 * `memsnap snap TARGET [-d DIR] [--keep-core]`: capture and analyze in one
 * step (snap.h), the capture's options as `memsnap capture` takes them.
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
#include "snap.h"

static const char snap_about[] =
        "Capture a running process and analyze it in one step: the database\n"
        "NAME.PID.YYYYMMDDTHHMMSSZ.db appears in DIR (the process's name and pid, and\n"
        "the time the snapshot began, in UTC, so that a listing sorts by time), and\n"
        "its path is printed on standard output.  The core in between is removed,\n"
        "also when something fails, unless --keep-core keeps it beside the database.\n"
        "Neither file ever shows half written under its name.  The capture options\n"
        "are those of memsnap capture.\n";

static const char snap_epilogue[] =
        PID_OPERAND_HELP
        "\n"
        "SIGINT, SIGTERM or SIGHUP discard the snapshot in flight: the target runs\n"
        "on, nothing is left but a core kept by --keep-core.\n"
        "\n"
        "Exit status: 0 written, 1 failed or interrupted (the message says why, or no\n"
        "process has that name), 2 bad usage (or a name several processes carry).\n";

int cmd_snap(int argc, char **argv)
{
        struct capture_options_cli c;
        struct snap_options so = { .dir = "." };
        capture_options_init(&c);
        struct option_spec options[2 + CAPTURE_OPTIONS_ROWS + CAPTURE_OPTIONS_VERBOSITY_ROWS] = {
                OPTION_STRING('d', "dir", "DIR", so.dir, "write the database (and the core) into DIR (default: here)"),
                OPTION_FLAG(0, "keep-core", so.keep_core, "keep the core beside the database, as NAME.PID.TIME.core"),
        };
        size_t n = 2;
        n += capture_options_rows(&c, options + n);
        n += capture_options_verbosity_rows(&c, options + n);
        const struct options_command cli = {
                .name = "snap",
                .usage = "TARGET [-d DIR] [--keep-core] [CAPTURE OPTIONS]",
                .about = snap_about,
                .epilogue = snap_epilogue,
                .options = options,
                .noptions = n,
        };

        /* Signals blocked for the whole run: one waits, pending, for the next step to see it (snap.h). */
        int status;
        if (!capture_options_parse(&c, &cli, argc, argv, &status))
                return status;
        so.quiet = c.o.quiet;
        so.capture = c.o;

        struct snap_result res;
        if (snap_take(&so, &res) < 0)
                return EXIT_FAIL;
        if (!so.quiet) {
                char rss[UNITS_BUF_MAX], used[UNITS_BUF_MAX];
                log_info("snapshot of process %d at %s: paused %.1f ms, RSS %s, used heap %s in %llu blocks%s%s",
                         (int)c.o.pid, res.stamp, res.pause_ms,
                         res.rss_kb >= 0 ? units_format_bytes(rss, (uint64_t)res.rss_kb * 1024) : "unknown",
                         units_format_bytes(used, res.used_bytes), (unsigned long long)res.used_blocks,
                         res.core_path ? "; core kept: " : "", res.core_path ? res.core_path : "");
        }
        printf("%s\n", res.db_path);
        snap_result_free(&res);
        return EXIT_OK;
}
