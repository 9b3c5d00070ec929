/*
 * Sizes for people and from people: "4.0 MiB" out, "256M" / "1GiB" / "4096"
 * in.  Binary units throughout (KiB = 1024), as pmap and top print them.
 * And durations from people: "10m".
 */
#ifndef MEMSNAP_UNITS_H
#define MEMSNAP_UNITS_H

#include <stddef.h>
#include <stdint.h>

#define UNITS_BUF_MAX 16

/* Writes e.g. "812 B", "4.0 MiB", "1.25 GiB" into buf; returns buf. */
char *units_format_bytes(char buf[UNITS_BUF_MAX], uint64_t bytes);

/*
 * Parses a byte count, decimal or 0x-hexadecimal, with an optional suffix:
 * K, M, G, T, with or without "iB"/"B" (all binary).  Returns 0, or -EINVAL for junk, -ERANGE on overflow.
 */
int units_parse_bytes(const char *s, uint64_t *out);

/* Parses an address or count: decimal, or hexadecimal with 0x (never octal). */
int units_parse_u64(const char *s, uint64_t *out);

/*
 * Parses a duration for people: a whole number with a unit, "500ms", "30s",
 * "10m", "2h", "1d" (a bare number is seconds), into milliseconds.  Returns
 * 0, or -EINVAL for junk, -ERANGE on overflow.
 */
int units_parse_duration_ms(const char *s, uint64_t *ms);

#endif
