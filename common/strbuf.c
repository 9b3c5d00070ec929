/* Implementation of strbuf.h. */
#include "strbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"

/* Room for `more` bytes of text and the NUL after them; false (and sb failed) when there is none. */
static bool reserve(struct strbuf *sb, size_t more)
{
        if (sb->failed)
                return false;
        if (more > SIZE_MAX - 1 - sb->len || ARRAY_RESERVE(sb->buf, sb->cap, sb->len + more + 1) < 0) {
                sb->failed = true;
                return false;
        }
        sb->buf[sb->len] = '\0';
        return true;
}

void strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
        if (!reserve(sb, len))
                return;
        if (len)
                memcpy(sb->buf + sb->len, data, len);
        sb->len += len;
        sb->buf[sb->len] = '\0';
}

void strbuf_addstr(struct strbuf *sb, const char *s) { strbuf_add(sb, s, strlen(s)); }

void strbuf_addch(struct strbuf *sb, char c) { strbuf_add(sb, &c, 1); }

void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
        va_list again;

        /* Printed in place when it fits what is allocated, as git's strbuf_vaddf; else once more after growing. */
        if (!reserve(sb, 0))
                return;
        va_copy(again, ap);
        int n = vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
        if (n >= 0 && (size_t)n >= sb->cap - sb->len && reserve(sb, (size_t)n))
                n = vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, again);
        va_end(again);
        if (n < 0 || sb->failed) {
                /* Out of memory, or vsnprintf failed (EOVERFLOW past INT_MAX bytes): what it wrote is dropped. */
                sb->buf[sb->len] = '\0';
                sb->failed = true;
                return;
        }
        sb->len += (size_t)n;
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        strbuf_vaddf(sb, fmt, ap);
        va_end(ap);
}

char *strbuf_take(struct strbuf *sb, size_t *len)
{
        if (!sb->failed && !sb->buf)
                reserve(sb, 0);
        if (sb->failed) {
                strbuf_free(sb);
                return NULL;
        }
        if (len)
                *len = sb->len;
        char *text = sb->buf;
        *sb = (struct strbuf)STRBUF_INIT;
        return text;
}

void strbuf_reset(struct strbuf *sb)
{
        sb->len = 0;
        sb->failed = false;
        if (sb->buf)
                sb->buf[0] = '\0';
}

void strbuf_free(struct strbuf *sb)
{
        free(sb->buf);
        *sb = (struct strbuf)STRBUF_INIT;
}
