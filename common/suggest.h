/*
 * "Did you mean ...?": the names nearest to a word someone mistyped (a
 * command, a report, a format), as git answers `git comit`.  Nearness is the
 * optimal string alignment distance (Damerau-Levenshtein without
 * overlapping edits): one inserted, deleted or changed letter, or two
 * neighbours swapped, costs 1.  Pure: lists in, names out.
 */
#ifndef MEMSNAP_SUGGEST_H
#define MEMSNAP_SUGGEST_H

#include <stddef.h>

/* Words longer than this are never near anything (and cost no more to compare). */
#define SUGGEST_WORD_MAX 64

/* The edit distance between a and b; SIZE_MAX when either is longer than SUGGEST_WORD_MAX. */
size_t suggest_distance(const char *a, const char *b);

/*
 * Writes the names of the NULL-terminated list names nearest to word into
 * buf as "'a'", "'a' or 'b'", "'a', 'b' or 'c'": all those at the smallest
 * distance, when that distance is small for the word's length (1 up to 4
 * letters, 2 up to 8, 3 beyond).  A name that starts with word (at least two
 * letters typed) counts as near too.  Returns how many names it wrote; 0
 * leaves buf "".
 */
size_t suggest_nearest(const char *word, const char *const *names, char *buf, size_t size);

#endif
