/*
 * A snapshot's file name, without its extension: NAME.PID.YYYYMMDDTHHMMSSZ,
 * the process's name (/proc/PID/comm), its pid, and the time the snapshot
 * began in UTC (ISO 8601's basic format), so that a listing of one
 * process's snapshots sorts by time.
 */
#ifndef MEMSNAP_SNAP_NAME_H
#define MEMSNAP_SNAP_NAME_H

#include <sys/types.h>
#include <time.h>

/* 15 bytes of name (the kernel's TASK_COMM_LEN less its NUL) at most 31 after escaping, a pid, a stamp. */
#define SNAP_NAME_MAX 96

/*
 * The name for a process called comm with pid, at t, into out: bytes of
 * comm that are not letters, digits, '-', '_' or '.' become '_' (a name may
 * hold '/' and spaces), and so does a leading '.' (no hidden files); an
 * empty name is "_".
 */
void snap_name_format(char out[SNAP_NAME_MAX], const char *comm, pid_t pid, time_t t);

#endif
