/* Implementation of keyval.h. */
#include "keyval.h"

#include <stdlib.h>
#include <string.h>

#include "text_escape.h"

bool keyval_get(const char *text, size_t len, const char *key, const char **value, size_t *value_len)
{
        const char *p = text, *end = text + len;
        size_t klen = strlen(key);

        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                const char *eol = nl ? nl : end;
                size_t llen = (size_t)(eol - p);
                if (llen > klen && memcmp(p, key, klen) == 0 && p[klen] == '=') {
                        const char *v = p + klen + 1;
                        size_t n = (size_t)(eol - v);
                        if (n && v[n - 1] == '\r')
                                n--;
                        *value = v;
                        *value_len = n;
                        return true;
                }
                p = nl ? nl + 1 : end;
        }
        return false;
}

char *keyval_dup(const char *text, size_t len, const char *key)
{
        const char *v;
        size_t n;

        if (!keyval_get(text, len, key, &v, &n))
                return NULL;
        /* A NUL inside the value would cut it silently: refuse it instead. */
        if (memchr(v, '\0', n))
                return NULL;
        return text_escape_undo(v, n);
}
