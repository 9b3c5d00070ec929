/* Implementation of text_escape.h. */
#include "text_escape.h"

#include <stdlib.h>

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
