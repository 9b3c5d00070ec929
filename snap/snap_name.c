/* Implementation of snap_name.h. */
#include "snap_name.h"

#include <stdbool.h>
#include <stdio.h>

static bool name_byte_ok(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
               c == '.';
}

void snap_name_format(char out[SNAP_NAME_MAX], const char *comm, pid_t pid, time_t t)
{
        char name[32], stamp[24];
        size_t n = 0;
        struct tm tm;

        for (const char *p = comm; *p && n < sizeof(name) - 1; p++, n++)
                name[n] = name_byte_ok(*p) && !(n == 0 && *p == '.') ? *p : '_';
        if (n == 0)
                name[n++] = '_';
        name[n] = '\0';
        if (!gmtime_r(&t, &tm) || strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm) == 0)
                snprintf(stamp, sizeof(stamp), "%lld", (long long)t);
        snprintf(out, SNAP_NAME_MAX, "%s.%d.%s", name, (int)pid, stamp);
}
