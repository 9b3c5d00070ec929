/*
 * `memsnap why DB ADDRESS`: what keeps the block at ADDRESS alive — the
 * shortest chain of pointers from a root holder (roots) to it, as Eclipse
 * MAT's "path to GC roots" shows it — or, for a block no root reaches, the
 * leaked block that heads its structure and the chain from there.  The
 * search is why_path.h's; this file reads the database for it.
 */
#ifndef MEMSNAP_WHY_H
#define MEMSNAP_WHY_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "db_open.h"
#include "why_path.h"

/* Blocks the search visits unless --max-blocks says otherwise. */
#define WHY_MAX_BLOCKS_DEFAULT 1000000

/* A connection and what its messages name. */
struct why_db {
        sqlite3 *db;
        struct db_guard *guard;
        const char *path;
        sqlite3_stmt *edges;    /* who points into a block (why_db_edges) */
};

/* A chunk as the answer shows it. */
struct why_block {
        int64_t id;
        uint64_t address, mem, size, usable;
        char state[8];          /* used, free, top */
        char bin[16];           /* free chunks: their bin */
        char leak[16];          /* used blocks: the verdict; "" when NULL */
        char *type;             /* type hint, or NULL */
        int64_t arena_id;       /* 0: none */
        int64_t retained;       /* chunks.retained; -1 when NULL (no dominators computed) */
        int64_t idom, idom_root; /* 0 when NULL */
};

/* A root holder (a row of roots), or what a root ref without one says. */
struct why_root {
        int64_t id;             /* 0: the ref names no holder */
        char *kind, *name;
        int64_t tid;            /* 0: none */
        bool conservative;
        int64_t blocks, retained;  /* -1 when unknown */
};

void why_block_clear(struct why_block *b);
void why_root_clear(struct why_root *r);

/*
 * The used block that holds address: its user bytes, interior included.
 * An address in no chunk, in a chunk header, in a free chunk or in top is
 * logged in one line that says which, and -EINVAL returned.
 */
int why_db_locate(struct why_db *w, uint64_t address, struct why_block *b);

/* Reads chunks.id = id into b; logs and returns -errno. */
int why_db_block(struct why_db *w, int64_t id, struct why_block *b);

/* Describes the root of edge e, which points into block to; logs and returns -errno. */
int why_db_root(struct why_db *w, const struct why_edge *e, int64_t to, struct why_root *r);

/* why_edges_fn over refs(to_chunk); ctx is a struct why_db. */
int why_db_edges(void *ctx, int64_t to, struct why_edge **v, size_t *n, size_t *cap);

/*
 * The block heading the leaked structure that holds target, which no root
 * reaches (s searched from it): the top of its dominator chain (chunks.idom
 * up to a block whose idom is NULL); when that block is not a definite
 * leak (two leaked blocks share it) or the dominators were not computed,
 * the definite leak nearest to target among the blocks s found.  Fills
 * head; logs and returns -errno.
 */
int why_db_leak_head(struct why_db *w, const struct why_search *s, const struct why_block *target,
                     struct why_block *head);

void why_db_close(struct why_db *w);

#endif
