/*
 * How much memory a process may still take before its memory cgroup (v2
 * memory.max, v1 memory.limit_in_bytes, on its own group and every
 * ancestor: a parent's limit binds its children) or the system
 * (MemAvailable) runs out.  A fork capture needs room for the pages the
 * target copies while the child is read (fork_refuse.h).
 */
#ifndef MEMSNAP_CGROUP_MEMORY_H
#define MEMSNAP_CGROUP_MEMORY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The room left, in bytes; where names what binds it ("/sys/fs/cgroup/x"
 * or "MemAvailable").  UINT64_MAX when nothing could be read.
 */
uint64_t cgroup_memory_room(pid_t pid, char *where, size_t where_len);

/* "0::/a/b" style line of /proc/PID/cgroup: controllers and path; false when not of that shape. */
int cgroup_memory_line_split(char *line, const char **controllers, size_t *controllers_len, const char **path);

#endif
