/* Implementation of addr_set.h. */
#include "addr_set.h"

#include <errno.h>
#include <stdlib.h>

#define ADDR_SET_EMPTY UINT64_MAX   /* no address a heap walk adds: it is not 16-byte aligned */
#define ADDR_SET_FIRST 64

/* Fibonacci hashing: addresses share their low bits (alignment), the product's high bits do not. */
static size_t slot_of(const struct addr_set *s, uint64_t a)
{
        return (size_t)((a * 0x9e3779b97f4a7c15ull) >> 32) & (s->cap - 1);
}

static void insert(struct addr_set *s, uint64_t a)
{
        size_t i = slot_of(s, a);
        while (s->slots[i] != ADDR_SET_EMPTY && s->slots[i] != a)
                i = (i + 1) & (s->cap - 1);
        s->slots[i] = a;
}

static int grow(struct addr_set *s)
{
        size_t cap = s->cap ? s->cap * 2 : ADDR_SET_FIRST;
        if (cap > SIZE_MAX / sizeof(uint64_t))
                return -ENOMEM;
        uint64_t *slots = malloc(cap * sizeof(*slots));
        if (!slots)
                return -ENOMEM;
        for (size_t i = 0; i < cap; i++)
                slots[i] = ADDR_SET_EMPTY;
        struct addr_set bigger = { .slots = slots, .cap = cap, .n = s->n, .has_empty_key = s->has_empty_key };
        for (size_t i = 0; i < s->cap; i++)
                if (s->slots[i] != ADDR_SET_EMPTY)
                        insert(&bigger, s->slots[i]);
        free(s->slots);
        *s = bigger;
        return 0;
}

bool addr_set_contains(const struct addr_set *s, uint64_t a)
{
        if (a == ADDR_SET_EMPTY)
                return s->has_empty_key;
        if (!s->cap)
                return false;
        for (size_t i = slot_of(s, a); s->slots[i] != ADDR_SET_EMPTY; i = (i + 1) & (s->cap - 1))
                if (s->slots[i] == a)
                        return true;
        return false;
}

int addr_set_add(struct addr_set *s, uint64_t a)
{
        if (a == ADDR_SET_EMPTY) {
                bool had = s->has_empty_key;
                s->has_empty_key = true;
                return !had;
        }
        if (addr_set_contains(s, a))
                return 0;
        if ((s->n + 1) * 2 > s->cap) {
                int r = grow(s);
                if (r < 0)
                        return r;
        }
        insert(s, a);
        s->n++;
        return 1;
}

void addr_set_free(struct addr_set *s)
{
        free(s->slots);
        *s = (struct addr_set){ 0 };
}
