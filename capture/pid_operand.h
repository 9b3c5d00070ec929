/*
 * The one process id a command takes after its options.  A word that is not
 * a number is taken for a process name, and the error lists the pids of that
 * name (pid_by_name.h), so `capture python3` says which to pick.
 */
#ifndef MEMSNAP_PID_OPERAND_H
#define MEMSNAP_PID_OPERAND_H

#include <sys/types.h>

/*
 * The operand argv[first] (first being where the options ended): says what
 * is wrong — none, more than one, not a pid — and returns -EINVAL; the
 * caller shows its usage.
 */
int pid_operand_parse(const char *command, int argc, char **argv, int first, pid_t *pid);

#endif
