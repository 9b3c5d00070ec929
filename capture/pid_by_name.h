/*
 * The processes called NAME, as pidof would list them, for `memsnap
 * capture python3`: pid_operand.h takes the one process of a name as the
 * target, and lists them when there are several.
 */
#ifndef MEMSNAP_PID_BY_NAME_H
#define MEMSNAP_PID_BY_NAME_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The kernel's include/linux/sched.h: TASK_COMM_LEN, the NUL included. */
#define PID_COMM_MAX 15

/*
 * True when a process whose /proc/PID/comm is comm (no newline) is called
 * name: equal, or, for a name longer than the kernel keeps, its first
 * PID_COMM_MAX bytes.  A path matches by its last component.
 */
bool pid_by_name_matches(const char *comm, const char *name);

/*
 * Scans /proc for processes called name (memsnap itself and zombies left out), puts up
 * to max of their pids, in /proc's order, into pids, and returns how many
 * there are in all (0 also when /proc cannot be read).
 */
size_t pid_by_name_find(const char *name, pid_t *pids, size_t max);

#endif
