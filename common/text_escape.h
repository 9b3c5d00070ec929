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

#endif
