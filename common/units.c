/* Implementation of units.h: human byte counts, both ways. */
#include "units.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

char *units_format_bytes(char buf[UNITS_BUF_MAX], uint64_t bytes)
{
        static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };

        if (bytes < 1024) {
                snprintf(buf, UNITS_BUF_MAX, "%u B", (unsigned)bytes);
                return buf;
        }
        double v = (double)bytes / 1024.0;
        size_t i = 0;
        while (v >= 1024.0 && i + 1 < sizeof(unit) / sizeof(unit[0])) {
                v /= 1024.0;
                i++;
        }
        snprintf(buf, UNITS_BUF_MAX, v < 10.0 ? "%.2f %s" : v < 100.0 ? "%.1f %s" : "%.0f %s", v,
                 unit[i]);
        return buf;
}

/* Decimal, or hexadecimal with an explicit 0x: a leading zero is not octal ("010M" is 10 MiB). */
static int base_of(const char *s)
{
        return s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? 16 : 10;
}

/*
 * The number s starts with, *end set past it: strtoull without what it
 * forgives (a sign, leading space, no digits at all).
 */
static int parse_leading(const char *s, unsigned long long *v, char **end)
{
        if (!s || !*s || *s == '-' || isspace((unsigned char)*s))
                return -EINVAL;
        errno = 0;
        *v = strtoull(s, end, base_of(s));
        if (errno == ERANGE)
                return -ERANGE;
        if (*end == s)
                return -EINVAL;
        return 0;
}

int units_parse_u64(const char *s, uint64_t *out)
{
        unsigned long long v;
        char *end;
        int r = parse_leading(s, &v, &end);
        if (r < 0)
                return r;
        if (*end)
                return -EINVAL;
        *out = v;
        return 0;
}

int units_parse_bytes(const char *s, uint64_t *out)
{
        unsigned long long v;
        char *end;
        int r = parse_leading(s, &v, &end);
        if (r < 0)
                return r;

        unsigned shift = 0;
        switch (toupper((unsigned char)*end)) {
        case '\0': break;
        case 'K': shift = 10; break;
        case 'M': shift = 20; break;
        case 'G': shift = 30; break;
        case 'T': shift = 40; break;
        case 'B': shift = 0; break;
        default: return -EINVAL;
        }
        if (*end) {
                const char *rest = end + 1;
                if (toupper((unsigned char)*end) == 'B') {
                        if (*rest)
                                return -EINVAL;
                } else if (*rest && strcasecmp(rest, "iB") && strcasecmp(rest, "B")) {
                        return -EINVAL;
                }
        }
        if (shift && v > (UINT64_MAX >> shift))
                return -ERANGE;
        *out = (uint64_t)v << shift;
        return 0;
}

int units_parse_duration_ms(const char *s, uint64_t *ms)
{
        static const struct {
                const char *suffix;
                uint64_t ms;
        } units[] = {
                { "", 1000 }, { "ms", 1 }, { "s", 1000 }, { "m", 60 * 1000 }, { "h", 3600 * 1000 }, { "d", 86400 * 1000 },
        };
        unsigned long long v;
        char *end;
        /* digits only: "0x10m" would be hex to parse_leading */
        if (!isdigit((unsigned char)s[0]) || (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')))
                return -EINVAL;
        int r = parse_leading(s, &v, &end);
        if (r < 0)
                return r;
        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
                if (strcmp(end, units[i].suffix) == 0) {
                        if (v > UINT64_MAX / units[i].ms)
                                return -ERANGE;
                        *ms = v * units[i].ms;
                        return 0;
                }
        return -EINVAL;
}
