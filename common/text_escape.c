/* Implementation of text_escape.h. */
#include "text_escape.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void text_escape_write(FILE *f, const char *s, size_t len)
{
        for (size_t i = 0; i < len; i++) {
                switch (s[i]) {
                case '\\': fputs("\\\\", f); break;
                case '\n': fputs("\\n", f); break;
                case '\t': fputs("\\t", f); break;
                case '\r': fputs("\\r", f); break;
                default: fputc(s[i], f);
                }
        }
}

char *text_unescape(const char *s, size_t len)
{
        char *out = malloc(len + 1), *o = out;
        if (!out)
                return NULL;
        for (size_t i = 0; i < len; i++) {
                if (s[i] != '\\' || i + 1 == len) {
                        *o++ = s[i];
                        continue;
                }
                switch (s[++i]) {
                case 'n': *o++ = '\n'; break;
                case 't': *o++ = '\t'; break;
                case 'r': *o++ = '\r'; break;
                default: *o++ = s[i]; break; /* "\\\\" and unknown escapes */
                }
        }
        *o = '\0';
        return out;
}

/*
 * The length of the valid UTF-8 sequence at s (at most len bytes) that is
 * safe to show, or 0 when the byte at s must be escaped.  RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF.
 */
static size_t utf8_safe_len(const unsigned char *s, size_t len)
{
        unsigned char c = s[0];
        if (c >= 0x20 && c < 0x7f)
                return 1;
        size_t n;
        uint32_t cp;
        if (c >= 0xc2 && c <= 0xdf) {
                n = 2;
                cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
                n = 3;
                cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
                n = 4;
                cp = c & 0x07;
        } else {
                return 0;       /* controls, DEL, continuation bytes, 0xc0, 0xc1, 0xf5.. */
        }
        if (len < n)
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = cp << 6 | (s[i] & 0x3f);
        }
        static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
        if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        if (cp >= 0x80 && cp <= 0x9f)
                return 0;       /* C1 controls: U+009B is a CSI on some terminals */
        return n;
}

size_t text_escape_display(char *out, size_t size, const char *s, size_t len)
{
        static const char hex[] = "0123456789abcdef";
        const unsigned char *u = (const unsigned char *)s;
        size_t o = 0;

        if (size == 0)
                return 0;
        for (size_t i = 0; i < len;) {
                size_t n = utf8_safe_len(u + i, len - i);
                if (n == 0) {
                        if (o + 4 >= size)
                                break;
                        out[o++] = '\\';
                        out[o++] = 'x';
                        out[o++] = hex[u[i] >> 4];
                        out[o++] = hex[u[i] & 0xf];
                        i++;
                        continue;
                }
                if (o + n >= size)
                        break;
                memcpy(out + o, u + i, n);
                o += n;
                i += n;
        }
        out[o] = '\0';
        return o;
}

void text_escape_display_write(FILE *f, const char *s)
{
        char buf[256];
        size_t len = strlen(s);

        /* In pieces: a piece ends on a character boundary, as text_escape_display cuts. */
        for (size_t i = 0; i < len;) {
                size_t step = 0;
                while (i + step < len && step < 60) {
                        size_t n = utf8_safe_len((const unsigned char *)s + i + step, len - i - step);
                        step += n ? n : 1;
                }
                text_escape_display(buf, sizeof(buf), s + i, step);
                fputs(buf, f);
                i += step;
        }
}
