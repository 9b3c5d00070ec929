/*
 * The MEMSNAP notes: what capture records beside the kernel's notes so that
 * analyze sees the process as /proc showed it at the moment of the snapshot.
 *
 * Each is an ELF note with name "MEMSNAP" and one of the types below.  The
 * descriptors are text, verbatim where they come from /proc, so analyze parses
 * the very formats proc(5) documents (with common/proc_maps.c and friends).
 * Type numbers are stable: a core written by one version is read by the next.
 * They lie in a range of their own, MEMSNAP_NT_BASE + n, because readers
 * interpret a note's type whatever its name: binutils' BFD (so gdb) hands
 * every core note to its generic NT_* parser, and a MEMSNAP note of type 2
 * or 6 became a second FP register set or a second auxv there.
 * docs/core-format.md describes each note in full.
 */
#ifndef MEMSNAP_MEMSNAP_NOTE_H
#define MEMSNAP_MEMSNAP_NOTE_H

#define MEMSNAP_NOTE_NAME "MEMSNAP"

/* "MSN\0": no NT_* constant of Linux, glibc or binutils is near it. */
#define MEMSNAP_NT_BASE 0x4d534e00u

enum memsnap_note_type {
        /* /proc/PID/smaps, verbatim. */
        MEMSNAP_NT_SMAPS = MEMSNAP_NT_BASE + 1,
        /* /proc/PID/status, verbatim. */
        MEMSNAP_NT_STATUS = MEMSNAP_NT_BASE + 2,
        /* /proc/PID/stat, verbatim. */
        MEMSNAP_NT_STAT = MEMSNAP_NT_BASE + 3,
        /* /proc/PID/cmdline, verbatim: NUL-separated arguments. */
        MEMSNAP_NT_CMDLINE = MEMSNAP_NT_BASE + 4,
        /*
         * The capture's settings and facts, "key=value\n" lines: memsnap
         * version, captured_at (RFC 3339 UTC), pid, exe (readlink of
         * /proc/PID/exe), pause_ms, segments, page_size, and so on.
         */
        MEMSNAP_NT_SETTINGS = MEMSNAP_NT_BASE + 5,
        /*
         * Mappings not dumped, or dumped in part: one line per range,
         * "START-END<TAB>REASON<TAB>DETAIL", addresses in hex without 0x.
         */
        MEMSNAP_NT_SKIPPED = MEMSNAP_NT_BASE + 6,
        /* Every thread's name: "TID<TAB>COMM\n" per thread, from /proc/PID/task/TID/comm. */
        MEMSNAP_NT_THREADS = MEMSNAP_NT_BASE + 7,
        /*
         * Live stacks unwound with libunwind-ptrace during the stop
         * (capture --stacks): one line per frame,
         * "TID<TAB>DEPTH<TAB>PC<TAB>FUNCTION<TAB>OFFSET<TAB>MODULE\n", with
         * PC and OFFSET in hex without 0x, DEPTH 0 for the innermost frame,
         * FUNCTION and MODULE empty when unknown.
         */
        MEMSNAP_NT_STACKS = MEMSNAP_NT_BASE + 8,
};

#endif
