/* glibc_symbols.c: main_arena, mp_ and tcache_key from the C library's symbol table. */
#ifndef MEMSNAP_GLIBC_SYMBOLS_H
#define MEMSNAP_GLIBC_SYMBOLS_H

#include <stdbool.h>
#include <stdint.h>

#include "glibc.h"

/* Symbols read from libc's symbol table; 0 = not there. */
struct glibc_symbols {
        uint64_t main_arena, main_arena_size;
        uint64_t mp, mp_size;
        uint64_t tcache_key;        /* address of the variable */
        bool have_symtab;           /* a full .symtab (debug info) was read, not only .dynsym */
};

/* 0, or -ENOENT when no symbol table could be read. */
int glibc_symbols_lookup(struct heap_ctx *h, struct glibc_symbols *out);

#endif
