/* Implementation of suggest.h. */
#include "suggest.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"

size_t suggest_distance(const char *a, const char *b)
{
        size_t n = strlen(a), m = strlen(b);

        if (n > SUGGEST_WORD_MAX || m > SUGGEST_WORD_MAX)
                return SIZE_MAX;
        /* d[i][j]: distance between the first i letters of a and the first j of b */
        size_t d[SUGGEST_WORD_MAX + 1][SUGGEST_WORD_MAX + 1];
        for (size_t i = 0; i <= n; i++)
                d[i][0] = i;
        for (size_t j = 0; j <= m; j++)
                d[0][j] = j;
        for (size_t i = 1; i <= n; i++)
                for (size_t j = 1; j <= m; j++) {
                        size_t cost = a[i - 1] != b[j - 1];
                        size_t v = MIN(d[i - 1][j] + 1, d[i][j - 1] + 1);
                        v = MIN(v, d[i - 1][j - 1] + cost);
                        if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                                v = MIN(v, d[i - 2][j - 2] + 1);
                        d[i][j] = v;
                }
        return d[n][m];
}

/* How far a name may be from a word of len letters and still be what was meant. */
static size_t distance_allowed(size_t len)
{
        return len <= 4 ? 1 : len <= 8 ? 2 : 3;
}

/* The distance that counts: 0 for a name the word begins (a command cut short). */
static size_t nearness(const char *word, const char *name)
{
        size_t len = strlen(word);
        if (len >= 2 && strncmp(name, word, len) == 0)
                return 0;
        return suggest_distance(word, name);
}

size_t suggest_nearest(const char *word, const char *const *names, char *buf, size_t size)
{
        size_t best = distance_allowed(strlen(word)) + 1, count = 0;

        if (size)
                buf[0] = '\0';
        for (const char *const *p = names; *p; p++) {
                size_t d = nearness(word, *p);
                if (d < best) {
                        best = d;
                        count = 0;
                }
                if (d == best)
                        count++;
        }
        if (best > distance_allowed(strlen(word)))
                return 0;

        size_t written = 0, used = 0;
        for (const char *const *p = names; *p && size; p++) {
                if (nearness(word, *p) != best)
                        continue;
                const char *sep = written == 0 ? "" : written + 1 == count ? " or " : ", ";
                int w = snprintf(buf + used, size - used, "%s'%s'", sep, *p);
                if (w < 0 || (size_t)w >= size - used) {
                        buf[used] = '\0';
                        break;
                }
                used += (size_t)w;
                written++;
        }
        return written;
}
