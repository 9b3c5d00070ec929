/*
 * Numbers in text someone else wrote (/proc files, the MEMSNAP notes):
 * plain digits only, no sign, no "0x", no spaces, bounded so that a value
 * never wraps.  Each parser reads from *p up to end, moves *p past the
 * digits it used, and leaves *p alone when it fails.  A caller that wants a
 * whole field checks that *p reached the field's end.
 */
#ifndef MEMSNAP_PARSE_NUMBER_H
#define MEMSNAP_PARSE_NUMBER_H

#include <stdbool.h>
#include <stdint.h>

/* 1 to 16 hex digits, either case. */
bool parse_number_hex_u64(const char **p, const char *end, uint64_t *out);

/* 1 to 19 decimal digits. */
bool parse_number_dec_u64(const char **p, const char *end, uint64_t *out);

#endif
