/*
 * A set of 64-bit addresses, for the walks over lists a crafted core can
 * make as long as it likes (the arena ring, a heap_info chain, the
 * tcaches already listed): "seen this one before?" in constant time, so
 * a loop is caught without a search of everything seen so far.
 *
 * Open addressing with linear probing in a power-of-two table kept at most
 * half full; every address is a key, UINT64_MAX included.  Zero-initialise to start.
 */
#ifndef MEMSNAP_ADDR_SET_H
#define MEMSNAP_ADDR_SET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct addr_set {
        uint64_t *slots;            /* cap entries; UINT64_MAX marks a free slot */
        size_t cap, n;
        bool has_empty_key;         /* the key that doubles as the free-slot mark is in the set */
};

/* Adds a: 1 when it was new, 0 when already there, -ENOMEM (set unchanged). */
int addr_set_add(struct addr_set *s, uint64_t a);

bool addr_set_contains(const struct addr_set *s, uint64_t a);

void addr_set_free(struct addr_set *s);

#endif
