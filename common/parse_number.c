/* Implementation of parse_number.h. */
#include "parse_number.h"

static int hex_digit(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

bool parse_number_hex_u64(const char **p, const char *end, uint64_t *out)
{
        uint64_t v = 0;
        const char *s = *p;
        int digits = 0, d;

        for (; s < end && (d = hex_digit(*s)) >= 0; s++) {
                if (++digits > 16)
                        return false;
                v = v << 4 | (uint64_t)d;
        }
        if (!digits)
                return false;
        *p = s;
        *out = v;
        return true;
}

bool parse_number_dec_u64(const char **p, const char *end, uint64_t *out)
{
        uint64_t v = 0;
        const char *s = *p;
        int digits = 0;

        for (; s < end && *s >= '0' && *s <= '9'; s++) {
                if (++digits > 19)
                        return false;
                v = v * 10 + (uint64_t)(*s - '0');
        }
        if (!digits)
                return false;
        *p = s;
        *out = v;
        return true;
}
