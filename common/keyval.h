/*
 * Lookup in "key=value" text, one pair per line: the format of the MEMSNAP
 * settings note (common/memsnap_note.h).  Pure: a buffer in, a span of that
 * buffer out, so the note can be read where it lies in the mapped core.
 */
#ifndef MEMSNAP_KEYVAL_H
#define MEMSNAP_KEYVAL_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Finds the first line "KEY=..." in len bytes of text and points *value at
 * what follows the '=' up to the end of the line (a trailing '\r' dropped),
 * *value_len bytes, not NUL-terminated.  False when no line has that key.
 */
bool keyval_get(const char *text, size_t len, const char *key, const char **value, size_t *value_len);

/*
 * As keyval_get, but a copy as a C string, unescaped: values are written
 * with common/text_escape.h so that one is always one line.  NULL when
 * absent, holding a NUL, or out of memory.
 */
char *keyval_dup(const char *text, size_t len, const char *key);

#endif
