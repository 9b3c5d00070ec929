/*
 * Implementation of why.h: finding the block that holds an address, the
 * pointers into a block (refs, indexed by to_chunk), root holders and the
 * head of a leaked structure, read from a snapshot database.
 */
#include "why.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/text_escape.h"

#define BLOCK_COLUMNS "id, address, mem, size, usable, state, bin, leak, type, arena_id, retained, idom, idom_root"

void why_block_clear(struct why_block *b)
{
        free(b->type);
        *b = (struct why_block){ 0 };
}

void why_root_clear(struct why_root *r)
{
        free(r->kind);
        free(r->name);
        *r = (struct why_root){ 0 };
}

static void text_copy(sqlite3_stmt *st, int i, char *buf, size_t size)
{
        const unsigned char *t = sqlite3_column_text(st, i);
        snprintf(buf, size, "%s", t ? (const char *)t : "");
}

static bool text_dup(sqlite3_stmt *st, int i, char **out)
{
        const unsigned char *t = sqlite3_column_text(st, i);
        *out = t ? strdup((const char *)t) : NULL;
        return !t || *out;
}

static int64_t int_or(sqlite3_stmt *st, int i, int64_t none)
{
        return sqlite3_column_type(st, i) == SQLITE_NULL ? none : sqlite3_column_int64(st, i);
}

static int block_from_row(sqlite3_stmt *st, struct why_block *b)
{
        why_block_clear(b);
        b->id = sqlite3_column_int64(st, 0);
        b->address = (uint64_t)sqlite3_column_int64(st, 1);
        b->mem = (uint64_t)sqlite3_column_int64(st, 2);
        b->size = (uint64_t)sqlite3_column_int64(st, 3);
        b->usable = (uint64_t)sqlite3_column_int64(st, 4);
        text_copy(st, 5, b->state, sizeof(b->state));
        text_copy(st, 6, b->bin, sizeof(b->bin));
        text_copy(st, 7, b->leak, sizeof(b->leak));
        if (!text_dup(st, 8, &b->type))
                return -ENOMEM;
        b->arena_id = int_or(st, 9, 0);
        b->retained = int_or(st, 10, -1);
        b->idom = int_or(st, 11, 0);
        b->idom_root = int_or(st, 12, 0);
        return 0;
}

static int prepare(struct why_db *w, const char *sql, sqlite3_stmt **st)
{
        if (sqlite3_prepare_v2(w->db, sql, -1, st, NULL) != SQLITE_OK)
                return log_error_errno(EIO, "cannot read '%s': %s", w->path, db_open_errmsg(w->db, w->guard));
        return 0;
}

/* One row of sql (binding v to ?1) into b: 1 found, 0 none, or a logged -errno. */
static int block_query(struct why_db *w, const char *sql, int64_t v, struct why_block *b)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(w, sql, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, v);
        r = sqlite3_step(st);
        if (r == SQLITE_DONE)
                return 0;
        if (r != SQLITE_ROW)
                return log_error_errno(EIO, "cannot read '%s': %s", w->path, db_open_errmsg(w->db, w->guard));
        if (block_from_row(st, b) < 0)
                return log_error_errno(ENOMEM, "cannot read '%s': %m", w->path);
        return 1;
}

int why_db_block(struct why_db *w, int64_t id, struct why_block *b)
{
        int r = block_query(w, "SELECT " BLOCK_COLUMNS " FROM chunks WHERE id = ?1", id, b);
        if (r == 0)
                return log_error_errno(EINVAL, "'%s' is damaged: it names chunk %" PRId64 ", which it does not hold",
                                       w->path, id);
        return r < 0 ? r : 0;
}

/* "; it lies in the stack mapping 0x7ffd...-0x7ffd... ([stack])", or that no mapping holds it. */
static void where_is(struct why_db *w, uint64_t address, char *buf, size_t size)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;

        snprintf(buf, size, "; no mapping of the snapshot holds it");
        if (sqlite3_prepare_v2(w->db,
                               "SELECT start, end, kind, path FROM segments WHERE start <= ?1 AND ?1 < end "
                               "ORDER BY start DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK)
                return;
        sqlite3_bind_int64(st, 1, (int64_t)address);
        if (sqlite3_step(st) != SQLITE_ROW)
                return;
        const unsigned char *kind = sqlite3_column_text(st, 2), *path = sqlite3_column_text(st, 3);
        /* texts from the file: escaped before they reach a terminal */
        _cleanup_free_ char *shown = path ? text_escape_display((const char *)path) : NULL;
        _cleanup_free_ char *kind_shown = text_escape_display(kind ? (const char *)kind : "unknown");
        snprintf(buf, size, "; it lies in the %s mapping 0x%" PRIx64 "-0x%" PRIx64 "%s%s%s",
                 kind_shown ? kind_shown : "?", (uint64_t)sqlite3_column_int64(st, 0),
                 (uint64_t)sqlite3_column_int64(st, 1), shown ? " (" : "", shown ? shown : "", shown ? ")" : "");
}

int why_db_locate(struct why_db *w, uint64_t address, struct why_block *b)
{
        _cleanup_(why_block_clear) struct why_block next = { 0 };
        int64_t a = (int64_t)address;
        int r;

        r = block_query(w, "SELECT " BLOCK_COLUMNS " FROM chunks WHERE mem <= ?1 ORDER BY mem DESC LIMIT 1", a, b);
        if (r < 0)
                return r;
        bool in_user = r > 0 && address < b->mem + b->usable;
        if (!in_user) {
                /* the header of the chunk after it (its size field and, for glibc, prev_size) */
                r = block_query(w, "SELECT " BLOCK_COLUMNS " FROM chunks WHERE mem > ?1 ORDER BY mem LIMIT 1", a,
                                &next);
                if (r < 0)
                        return r;
                if (r > 0 && next.address <= address && address < next.mem)
                        return log_error_errno(EINVAL, "address 0x%" PRIx64 " is in the header of the chunk at "
                                               "0x%" PRIx64 ", not in a block: its user bytes start at 0x%" PRIx64,
                                               address, next.address, next.mem);
                if (b->id == 0 || address >= b->address + b->size) {
                        char where[256];
                        where_is(w, address, where, sizeof(where));
                        return log_error_errno(EINVAL, "address 0x%" PRIx64 " is in no heap block of '%s'%s",
                                               address, w->path, where);
                }
        }
        if (strcmp(b->state, "free") == 0) {
                _cleanup_free_ char *bin = text_escape_display(b->bin[0] ? b->bin : "no");
                return log_error_errno(EINVAL, "address 0x%" PRIx64 " is in a free chunk at 0x%" PRIx64
                                       " (%s%s): free memory has no owner", address, b->address,
                                       bin ? bin : "?", b->bin[0] ? " bin" : " bin known");
        }
        if (strcmp(b->state, "top") == 0)
                return log_error_errno(EINVAL, "address 0x%" PRIx64 " is in the top chunk of arena %" PRId64
                                       " at 0x%" PRIx64 ": memory malloc has not handed out yet", address,
                                       b->arena_id, b->address);
        if (strcmp(b->state, "used") != 0)
                return log_error_errno(EINVAL, "address 0x%" PRIx64 " is in a chunk whose state is not 'used'",
                                       address);
        return 0;
}

int why_db_edges(void *ctx, int64_t to, struct why_edge **v, size_t *n, size_t *cap)
{
        struct why_db *w = ctx;
        int r;

        if (!w->edges) {
                r = prepare(w,
                            "SELECT r.from_chunk, r.root_id, r.from_offset, r.from_address, r.to_offset, "
                            "COALESCE(o.conservative, 0) FROM refs r LEFT JOIN roots o ON o.id = r.root_id "
                            "WHERE r.to_chunk = ?1",
                            &w->edges);
                if (r < 0)
                        return r;
        }
        sqlite3_reset(w->edges);
        sqlite3_bind_int64(w->edges, 1, to);
        while ((r = sqlite3_step(w->edges)) == SQLITE_ROW) {
                if (ARRAY_RESERVE(*v, *cap, *n + 1) < 0)
                        return log_error_errno(ENOMEM, "cannot read '%s': %m", w->path);
                (*v)[(*n)++] = (struct why_edge){
                        .from = int_or(w->edges, 0, 0),
                        .root_id = int_or(w->edges, 1, 0),
                        .from_offset = sqlite3_column_int64(w->edges, 2),
                        .from_address = sqlite3_column_int64(w->edges, 3),
                        .to_offset = sqlite3_column_int64(w->edges, 4),
                        .conservative = sqlite3_column_int64(w->edges, 5) != 0,
                };
        }
        if (r != SQLITE_DONE)
                return log_error_errno(EIO, "cannot read the refs of '%s': %s", w->path, db_open_errmsg(w->db, w->guard));
        return 0;
}

int why_db_root(struct why_db *w, const struct why_edge *e, int64_t to, struct why_root *r)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int rc;

        why_root_clear(r);
        if (e->root_id) {
                rc = prepare(w, "SELECT id, kind, name, tid, conservative, blocks, retained FROM roots WHERE id = ?1",
                             &st);
                if (rc < 0)
                        return rc;
                sqlite3_bind_int64(st, 1, e->root_id);
        } else {
                /* a root ref without a holder: what refs itself says */
                rc = prepare(w, "SELECT 0, root_kind, COALESCE(root_kind, 'root') || COALESCE(' of thread ' || tid, '') "
                                "|| printf(' at 0x%x', from_address), tid, 0, NULL, NULL FROM refs "
                                "WHERE to_chunk = ?1 AND from_chunk IS NULL AND from_address = ?2 LIMIT 1",
                             &st);
                if (rc < 0)
                        return rc;
                sqlite3_bind_int64(st, 1, to);
                sqlite3_bind_int64(st, 2, e->from_address);
        }
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return log_error_errno(EINVAL, "'%s' is damaged: a ref names root holder %" PRId64 ", which roots "
                                       "does not hold", w->path, e->root_id);
        if (rc != SQLITE_ROW)
                return log_error_errno(EIO, "cannot read the roots of '%s': %s", w->path, db_open_errmsg(w->db, w->guard));
        r->id = sqlite3_column_int64(st, 0);
        r->tid = int_or(st, 3, 0);
        r->conservative = sqlite3_column_int64(st, 4) != 0;
        r->blocks = int_or(st, 5, -1);
        r->retained = int_or(st, 6, -1);
        if (!text_dup(st, 1, &r->kind) || !text_dup(st, 2, &r->name))
                return log_error_errno(ENOMEM, "cannot read '%s': %m", w->path);
        return 0;
}

int why_db_leak_head(struct why_db *w, const struct why_search *s, const struct why_block *target,
                     struct why_block *head)
{
        int r;

        /* up the dominator tree; bounded by the blocks the search found, which hold every dominator */
        r = why_db_block(w, target->id, head);
        for (size_t steps = 0; r == 0 && head->idom && steps <= s->n; steps++) {
                int64_t up = head->idom;
                r = why_db_block(w, up, head);
        }
        if (r < 0)
                return r;
        if (strcmp(head->leak, "definite") == 0)
                return 0;
        /* the nearest definite leak the search found: nodes are in order of distance */
        _cleanup_(why_block_clear) struct why_block b = { 0 };
        for (size_t i = 0; i < s->n; i++) {
                r = why_db_block(w, s->nodes[i].block, &b);
                if (r < 0)
                        return r;
                if (strcmp(b.leak, "definite") == 0) {
                        why_block_clear(head);
                        *head = b;
                        b = (struct why_block){ 0 };
                        return 0;
                }
        }
        return 0;
}

void why_db_close(struct why_db *w)
{
        sqlite3_finalize(w->edges);
        w->edges = NULL;
}
