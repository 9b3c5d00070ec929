/* Implementation of diff_match.h. */
#include "diff_match.h"

bool diff_match_same_block(const struct diff_chunk *a, const struct diff_chunk *b)
{
        return a->size == b->size && (!a->has_hash || !b->has_hash || a->hash == b->hash);
}

void diff_match_run(const struct diff_chunk *a, size_t na, const struct diff_chunk *b, size_t nb, size_t *match_a,
                    size_t *match_b)
{
        for (size_t i = 0; i < na; i++)
                match_a[i] = DIFF_MATCH_NONE;
        for (size_t j = 0; j < nb; j++)
                match_b[j] = DIFF_MATCH_NONE;
        for (size_t i = 0; i < na; i++)
                for (size_t j = 0; j < nb; j++)
                        if (match_b[j] == DIFF_MATCH_NONE && diff_match_same_block(&a[i], &b[j])) {
                                match_a[i] = j;
                                match_b[j] = i;
                                break;
                        }
        for (size_t i = 0; i < na; i++) {
                if (match_a[i] != DIFF_MATCH_NONE)
                        continue;
                for (size_t j = 0; j < nb; j++)
                        if (match_b[j] == DIFF_MATCH_NONE && a[i].size != b[j].size) {
                                match_a[i] = j;
                                match_b[j] = i;
                                break;
                        }
        }
}
