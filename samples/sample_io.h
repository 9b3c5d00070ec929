/*
 * What every sample shares: printing its ground truth without allocating
 * (snprintf into a stack buffer, then write(2): stdio would malloc a buffer
 * and change the very heap the tests compare against), and a command loop on
 * standard input so tests can tell that the sample still runs after a capture.
 *
 * Commands, one per line:  ping -> "pong N";  mallinfo -> a mallinfo2 line;
 * quit (or end of input) -> exit 0;  anything else goes to the sample's own
 * handler, which returns false for an unknown command ("error unknown ...").
 * A signal that interrupts the wait is passed to the handler as "signal".
 */
#ifndef SAMPLE_IO_H
#define SAMPLE_IO_H

#include <stdbool.h>
#include <stddef.h>

/* printf to stdout with no allocation; lines longer than 1 KiB are cut. */
__attribute__((format(printf, 1, 2))) void say(const char *fmt, ...);

/* Prints "mallinfo2 arena=N ordblks=N ... keepcost=N" from glibc's own figures. */
void say_mallinfo2(void);

/* Blocks reading commands until quit or end of input; returns to exit. */
void sample_serve(bool (*handle)(const char *cmd, void *data), void *data);

/* The thread's kernel id. */
int sample_gettid(void);

#endif
