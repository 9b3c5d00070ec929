/*
 * What every sample shares: printing its ground truth without allocating
 * (snprintf into a stack buffer, then write(2): stdio would malloc a buffer
 * and change the very heap the tests compare against), and a command loop on
 * standard input so tests can tell that the sample still runs after a capture.
 *
 * Commands, one per line:  ping -> "pong N";  mallinfo -> a mallinfo2 line;
 * exec N -> the process runs its own program again, same arguments, N times
 * in a row, each time from a new thread (each new image does its setup,
 * prints "ready", and execs again at once), then "exec done" and commands
 * as before: a process that calls execve while a test captures it;  quit (or end of input) -> exit 0;
 * anything else goes to the sample's own handler, which returns false for an
 * unknown command ("error unknown ...").  A signal that interrupts the wait
 * is passed to the handler as "signal".
 */
#ifndef SAMPLE_IO_H
#define SAMPLE_IO_H

#include <stdbool.h>
#include <stddef.h>

/* printf to stdout with no allocation; lines longer than 1 KiB are cut. */
__attribute__((format(printf, 1, 2))) void say(const char *fmt, ...);

/* Prints "mallinfo2 arena=N ordblks=N ... keepcost=N" from glibc's own figures. */
void say_mallinfo2(void);

/*
 * Blocks reading commands until quit or end of input; returns to exit.
 * Called by a new image of an "exec N", it execs again first while any of
 * the N are left.
 */
void sample_serve(bool (*handle)(const char *cmd, void *data), void *data);

/* The thread's kernel id. */
int sample_gettid(void);

#endif
