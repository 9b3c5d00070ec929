/*
 * The escaping of values inside memsnap's line-based notes (settings
 * key=value lines, the threads and stacks TSV, the skipped list): a backslash
 * is written "\\", a newline "\n", a tab "\t", a carriage return "\r", so
 * that one value is always one field of one line whatever the process named
 * its threads or files.  Capture escapes, analyze unescapes; both use these.
 */
#ifndef MEMSNAP_TEXT_ESCAPE_H
#define MEMSNAP_TEXT_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

#include "strbuf.h"

/* Appends s (len bytes) escaped to sb. */
void text_escape_add(struct strbuf *sb, const char *s, size_t len);

/*
 * Returns a NUL-terminated, unescaped copy of s (len bytes), or NULL when
 * out of memory.  An unknown escape keeps its character; a lone trailing
 * backslash is kept as is.
 */
char *text_escape_undo(const char *s, size_t len);

#endif

/*
 * Showing untrusted text (a thread's name, a mapped path, a value read from
 * a snapshot database) to a person or a program that reads lines: valid
 * UTF-8 that prints passes as it is; control characters (C0, DEL and C1,
 * U+0080..U+009F, which terminals obey as escape sequences) and bytes that
 * are not UTF-8 are escaped byte by byte as "\xNN", so nothing the text
 * holds can move a cursor, set a window title or split a line.
 */

/*
 * Length of the valid UTF-8 sequence at s (at most n bytes, n > 0), or 0
 * when the byte there does not start one (RFC 3629: no overlongs, no
 * surrogates).
 */
size_t text_escape_utf8_sequence(const unsigned char *s, size_t n);

/*
 * How many bytes at the start of s (n bytes) may be shown as they are:
 * printable UTF-8, and none of the ASCII bytes in stop (a format's own
 * special characters, may be NULL).  The byte after the span is the
 * caller's to escape, one at a time.
 */
size_t text_escape_printable_span(const char *s, size_t n, const char *stop);

/* Writes "\xNN" for byte c into buf, which holds at least 5 bytes. */
void text_escape_byte(char buf[static 5], unsigned char c);

/*
 * A copy of s for a message: the printable span as it is, a newline, tab
 * and carriage return as "\n", "\t", "\r", any other byte the span stops at
 * as "\xNN".  NULL only when out of memory; s NULL gives "(null)".
 */
char *text_escape_display(const char *s);

/*
 * The same escaping into a fixed buffer, for messages (common/log.c) and
 * memsnap stacks: a newline, tab and carriage return are "\xNN" too, so a
 * message is always one line.  Writes s (len bytes) into out (size bytes,
 * NUL-terminated, cut before a character or an escape that would not fit);
 * returns the bytes written.
 */
size_t text_escape_terminal(char *out, size_t size, const char *s, size_t len);

/* Writes s (NUL-terminated) escaped as text_escape_terminal does to f. */
void text_escape_terminal_write(FILE *f, const char *s);
