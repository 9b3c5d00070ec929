/*
 * Growable strings, after git's strbuf: the one way memsnap builds text
 * whose length it does not know beforehand (a note's lines, a rendered
 * value, a list of names for a message).
 *
 *     _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
 *     strbuf_addf(&sb, "pid=%d\n", pid);
 *     strbuf_addstr(&sb, name);
 *     char *text = strbuf_take(&sb, &len);
 *     if (!text)
 *             return -ENOMEM;
 *
 * git's strbuf dies when memory runs out; a library cannot, so a failed
 * addition sets a sticky flag instead, every later addition is a no-op, and
 * the caller checks once, when it takes the text (strbuf_take returns NULL)
 * or reads it in place (strbuf_failed).  The text is NUL-terminated after
 * every addition that succeeded and may hold NUL bytes of its own when added
 * with strbuf_add.
 *
 * What is not a strbuf: a string made by one format call (asprintf says it
 * in one line), and the messages of common/log.c, which keep a fixed buffer
 * so that "out of memory" can be said without memory.
 */
#ifndef MEMSNAP_STRBUF_H
#define MEMSNAP_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "cleanup.h"

struct strbuf {
        char *buf;   /* the text, NUL-terminated; NULL until the first addition */
        size_t len;  /* bytes of text, the NUL not counted */
        size_t cap;  /* bytes allocated at buf */
        bool failed; /* an addition ran out of memory (or of size_t): the text is incomplete */
};

#define STRBUF_INIT { 0 }

/* Appends len bytes at data (which may hold NULs). */
void strbuf_add(struct strbuf *sb, const void *data, size_t len);

/* Appends the NUL-terminated s. */
void strbuf_addstr(struct strbuf *sb, const char *s);

/* Appends one byte. */
void strbuf_addch(struct strbuf *sb, char c);

/* Appends what printf would print; a format error fails the buffer too. */
__attribute__((format(printf, 2, 3))) void strbuf_addf(struct strbuf *sb, const char *fmt, ...);
__attribute__((format(printf, 2, 0))) void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);

/* Whether an addition failed since the buffer was made or last reset. */
static inline bool strbuf_failed(const struct strbuf *sb) { return sb->failed; }

/* The text so far ("" before the first addition); valid until the next call that changes sb. */
static inline const char *strbuf_str(const struct strbuf *sb) { return sb->buf ? sb->buf : ""; }

/*
 * Hands the text out (the caller frees it) and leaves sb empty, as TAKE_PTR
 * does; its length goes to *len when len is not NULL.  A buffer nothing was
 * added to gives an allocated "".  Returns NULL, freeing what was built,
 * when an addition failed or the "" cannot be allocated.
 */
char *strbuf_take(struct strbuf *sb, size_t *len);

/* Empties the text and clears the failure, keeping the allocation for reuse. */
void strbuf_reset(struct strbuf *sb);

/* Frees the text; sb is empty afterwards.  Also the cleanup of _cleanup_strbuf_. */
void strbuf_free(struct strbuf *sb);

/* The variable is the struct itself, so strbuf_free already takes a pointer to it (as closep does). */
#define _cleanup_strbuf_ _cleanup_(strbuf_free)

#endif
