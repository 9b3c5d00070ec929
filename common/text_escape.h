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

/* Writes s (len bytes) escaped to f. */
void text_escape_write(FILE *f, const char *s, size_t len);

/*
 * Returns a NUL-terminated, unescaped copy of s (len bytes), or NULL when
 * out of memory.  An unknown escape keeps its character; a lone trailing
 * backslash is kept as is.
 */
char *text_unescape(const char *s, size_t len);

/*
 * Text for a terminal, from a target or a core (process and thread names,
 * mapped paths, symbol names): every byte that could steer a terminal is
 * written as \xNN — C0 controls, DEL, the C1 controls (U+0080..U+009F, in
 * UTF-8 or as lone bytes) and every byte that is not part of valid UTF-8.
 * Printable ASCII and valid UTF-8 text are kept as they are.
 */

/*
 * Escapes s (len bytes) into out (size bytes, NUL-terminated, cut at a
 * character boundary when too small); returns the bytes written.
 */
size_t text_escape_display(char *out, size_t size, const char *s, size_t len);

/* Writes s (NUL-terminated) escaped for display to f. */
void text_escape_display_write(FILE *f, const char *s);

#endif
