/*
 * The one target a command takes after its options (capture, stacks, snap,
 * watch): a process id, or a process name.
 *
 * A name is matched as pidof matches it, against /proc/PID/comm
 * (pid_by_name.h); one process of that name is the target; several are
 * listed, with pid, user, start time and command line, so the user can pick
 * one; none is an error.
 *
 * A target that begins with a digit is always a process id, as kill and
 * gdb -p read it ("12x" is a mistyped one): the meaning of "4242" never
 * depends on which processes run.  A process whose name begins with a digit
 * is named as a path, "./4242" (a name is matched by its last component);
 * when no process has the id but one has the name, the error says so.
 */
#ifndef MEMSNAP_PID_OPERAND_H
#define MEMSNAP_PID_OPERAND_H

#include <sys/types.h>

/* TARGET explained, for the --help of each command that takes one. */
#define PID_OPERAND_HELP                                                                  \
        "TARGET is a process id or a process name, matched as pidof matches it\n"         \
        "(/proc/PID/comm, or a path's last component).  A name several processes\n"      \
        "carry lists them (pid, user, start time, command line) and exits 2.  A\n"       \
        "TARGET that begins with a digit is a process id: a process named 4242 is\n"      \
        "'./4242'.\n"

/* The most processes of one name an ambiguous target lists. */
#define PID_OPERAND_CANDIDATES_MAX 32

/*
 * The operand argv[first] (first being where the options ended), into
 * *pid.  Says what is wrong and returns -EINVAL (none, more than one
 * operand, a mistyped number, a name several processes carry: bad usage)
 * or -ESRCH (no process of that name, or a number that is no process but a
 * process's name).  A number is not looked up: the capture says when no
 * such process exists.
 */
int pid_operand_parse(const char *command, int argc, char **argv, int first, pid_t *pid);

/* The exit code (builtin.h) for what pid_operand_parse returned: 2 bad usage, 1 no such process. */
int pid_operand_exit(int r);

#endif
