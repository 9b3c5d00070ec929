/*
 * `memsnap capture TARGET`: the command line of capture.c.  Parses the options
 * into struct capture_options (the capture's own rows: capture_options.h),
 * answers --help, and maps the outcome to the
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
#include "capture_options.h"
#include "pid_operand.h"

static const char capture_about[] =
        "Snapshot a running process into an ELF core file that gdb, eu-stack and\n"
        "memsnap analyze read.  The process is stopped only while its registers and\n"
        "memory are copied, or, by fork, while it clones itself (\"paused N ms\" says\n"
        "how long), then runs on while the file is written.  It is never left\n"
        "stopped or traced, whatever happens.\n"
        "\n"
        "Every mapping becomes a PT_LOAD.  Pages never touched stay holes in a sparse\n"
        "file, and nothing is read that would fault a page into the process.\n";

static const char capture_epilogue[] =
        "What is not dumped is listed in the core's MEMSNAP skipped note with the\n"
        "reason; docs/core-format.md describes the file note by note.\n"
        "\n"
        "\n"
        PID_OPERAND_HELP
        "\n"
        "Exit status: 0 written, 1 failed (the message says why, or no process has\n"
        "that name), 2 bad usage (or a name several processes carry).\n";

int cmd_capture(int argc, char **argv)
{
        struct capture_options_cli c;
        struct capture_options *o = &c.o;

        capture_options_init(&c);
        struct option_spec options[2 + CAPTURE_OPTIONS_ROWS + CAPTURE_OPTIONS_VERBOSITY_ROWS] = {
                OPTION_STRING('o', "output", "FILE", o->output, "write the core to FILE (default: core.PID here)"),
                OPTION_FLAG('f', "force", o->force, "replace FILE if it exists"),
        };
        size_t n = 2;
        n += capture_options_rows(&c, options + n);
        n += capture_options_verbosity_rows(&c, options + n);
        const struct options_command cli = {
                .name = "capture",
                .usage = "TARGET [-o FILE] [OPTIONS]",
                .about = capture_about,
                .epilogue = capture_epilogue,
                .options = options,
                .noptions = n,
        };

        /*
         * Signals blocked before anything else: "exit 1, interrupted, nothing
         * written" holds from there on, and a signal after a capture
         * succeeded cannot hide the success behind death by signal
         * (interrupt.h).
         */
        int status;
        if (!capture_options_parse(&c, &cli, argc, argv, &status))
                return status;
        if (o->output && strcmp(o->output, "-") == 0) {
                /* the core is written in place, holes and all, then linked under its name */
                log_error("a core cannot go to standard output: it is a sparse file written in place; "
                          "give -o a file name ('./-' for a file named '-')");
                return EXIT_USAGE;
        }
        return capture_run(o) < 0 ? EXIT_FAIL : EXIT_OK;
}
