/* Implementation of text_escape.h. */
#include "text_escape.h"

#include <stdlib.h>
#include <string.h>

void text_escape_add(struct strbuf *sb, const char *s, size_t len)
{
        static const char special[4] = { '\\', '\n', '\t', '\r' };

        for (size_t i = 0; i < len;) {
                size_t plain = i;
                while (plain < len && !memchr(special, s[plain], sizeof(special)))
                        plain++;
                strbuf_add(sb, s + i, plain - i);
                if (plain == len)
                        break;
                switch (s[plain]) {
                case '\\': strbuf_addstr(sb, "\\\\"); break;
                case '\n': strbuf_addstr(sb, "\\n"); break;
                case '\t': strbuf_addstr(sb, "\\t"); break;
                case '\r': strbuf_addstr(sb, "\\r"); break;
                }
                i = plain + 1;
        }
}

char *text_escape_undo(const char *s, size_t len)
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

size_t text_escape_utf8_sequence(const unsigned char *s, size_t n)
{
        unsigned char c = s[0];
        unsigned char lo = 0x80, hi = 0xbf;
        size_t len;

        if (c < 0x80)
                return 1;
        if (c >= 0xc2 && c <= 0xdf)
                len = 2;
        else if (c >= 0xe0 && c <= 0xef) {
                len = 3;
                if (c == 0xe0)
                        lo = 0xa0; /* overlong */
                if (c == 0xed)
                        hi = 0x9f; /* UTF-16 surrogates */
        } else if (c >= 0xf0 && c <= 0xf4) {
                len = 4;
                if (c == 0xf0)
                        lo = 0x90; /* overlong */
                if (c == 0xf4)
                        hi = 0x8f; /* above U+10FFFF */
        } else
                return 0;
        if (len > n || s[1] < lo || s[1] > hi)
                return 0;
        for (size_t i = 2; i < len; i++)
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
        return len;
}

size_t text_escape_printable_span(const char *s, size_t n, const char *stop)
{
        const unsigned char *u = (const unsigned char *)s;
        size_t i = 0;

        while (i < n) {
                unsigned char c = u[i];
                if (c < 0x80) {
                        if (c < 0x20 || c == 0x7f || (stop && strchr(stop, c)))
                                break;
                        i++;
                        continue;
                }
                size_t len = text_escape_utf8_sequence(u + i, n - i);
                /* C1 controls: U+0080..U+009F are 0xc2 0x80..0x9f */
                if (len == 0 || (c == 0xc2 && u[i + 1] < 0xa0))
                        break;
                i += len;
        }
        return i;
}

void text_escape_byte(char buf[static 5], unsigned char c)
{
        static const char hex[] = "0123456789abcdef";

        buf[0] = '\\';
        buf[1] = 'x';
        buf[2] = hex[c >> 4];
        buf[3] = hex[c & 15];
        buf[4] = '\0';
}

char *text_escape_display(const char *s)
{
        if (!s)
                return strdup("(null)");

        _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
        size_t n = strlen(s);
        for (size_t i = 0; i < n;) {
                size_t span = text_escape_printable_span(s + i, n - i, NULL);
                strbuf_add(&sb, s + i, span);
                i += span;
                if (i == n)
                        break;
                unsigned char c = (unsigned char)s[i++];
                char x[5];
                switch (c) {
                case '\n': strbuf_addstr(&sb, "\\n"); break;
                case '\t': strbuf_addstr(&sb, "\\t"); break;
                case '\r': strbuf_addstr(&sb, "\\r"); break;
                default:
                        text_escape_byte(x, c);
                        strbuf_addstr(&sb, x);
                }
        }
        return strbuf_take(&sb, NULL);
}

/* Bytes of the printable character at s (n > 0 bytes), or 0 when it must be escaped. */
static size_t printable_char(const char *s, size_t n)
{
        const unsigned char *u = (const unsigned char *)s;
        /* No character is longer than 4 bytes: a span of at most 4 says whether the first prints. */
        if (text_escape_printable_span(s, n < 4 ? n : 4, NULL) == 0)
                return 0;
        return u[0] < 0x80 ? 1 : text_escape_utf8_sequence(u, n);
}

size_t text_escape_terminal(char *out, size_t size, const char *s, size_t len)
{
        size_t o = 0;

        if (size == 0)
                return 0;
        for (size_t i = 0; i < len;) {
                size_t n = printable_char(s + i, len - i);
                if (n == 0) {
                        if (o + 4 >= size)
                                break;
                        text_escape_byte(out + o, (unsigned char)s[i]);
                        o += 4;
                        i++;
                        continue;
                }
                if (o + n >= size)
                        break;
                memcpy(out + o, s + i, n);
                o += n;
                i += n;
        }
        out[o] = '\0';
        return o;
}

void text_escape_terminal_write(FILE *f, const char *s)
{
        char buf[256];
        size_t len = strlen(s);

        /* In pieces that end on a character boundary, as text_escape_terminal cuts. */
        for (size_t i = 0; i < len;) {
                size_t step = 0;
                while (i + step < len && step < 60) {
                        size_t n = printable_char(s + i + step, len - i - step);
                        step += n ? n : 1;
                }
                text_escape_terminal(buf, sizeof(buf), s + i, step);
                fputs(buf, f);
                i += step;
        }
}
