/*
 * `memsnap why DB ADDRESS`: why the block holding ADDRESS is still there
 * (why.h) — the root holder and the chain of blocks from it, or, for a
 * leak, the leaked block heading its structure and the chain from that —
 * printed in the output formats `query` has.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/options.h"
#include "common/parse_number.h"
#include "common/text_escape.h"
#include "db_open.h"
#include "output_args.h"
#include "why.h"

static const char why_about[] =
        "Show what keeps the block holding ADDRESS alive: the shortest chain of\n"
        "pointers from a root holder (a static variable, a stack frame, a register,\n"
        "a thread's TLS, an anonymous mapping) to it, each block with the offset of\n"
        "the pointer in it, its size, type hint and leak verdict.  Of equally short\n"
        "chains it takes the one with fewest interior pointers, then one whose root\n"
        "is not conservative.  For a block no root reaches, it shows the leaked block\n"
        "that heads its structure and the chain from there.  ADDRESS is hex (0x...)\n"
        "or decimal, anywhere in the block's user bytes.\n";

static const char why_epilogue[] =
        "Sections: target (the block), root or leak (what holds it), chain (the\n"
        "blocks from the holder to the target, one per row: pointer_offset is where\n"
        "in that block the pointer to the next row's block is, to_offset where in the\n"
        "next block it points, 0 for its start).\n\n"
        "Exit status: 0 an answer, 1 failure (an address in no used block, the\n"
        "search bound hit before any root, a file that is not a memsnap database),\n"
        "2 bad usage.\n";

static int parse_address(const char *s, uint64_t *out)
{
        const char *p = s, *end = s + strlen(s);
        bool hex = end - p > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
        if (hex)
                p += 2;
        bool ok = hex ? parse_number_hex_u64(&p, end, out) : parse_number_dec_u64(&p, end, out);
        if (!ok || p != end)
                return log_error_errno(EINVAL, "invalid address '%s': expected hex (0x...) or decimal", s);
        return 0;
}

static struct output_cell text_or_null(const char *s) { return s && *s ? output_cell_text(s) : cell_null(); }
static struct output_cell retained_cell(int64_t v) { return v >= 0 ? cell_int(v) : cell_null(); }

static int print_target(struct output *o, uint64_t address, const struct why_block *b, const char *held_by,
                        size_t hops)
{
        static const char *const names[] = { "address", "mem", "offset", "size", "usable", "type", "leak",
                                             "retained_bytes", "held_by", "hops" };
        struct output_cell c[] = {
                cell_int((int64_t)address), cell_int((int64_t)b->mem), cell_int((int64_t)(address - b->mem)),
                cell_int((int64_t)b->size), cell_int((int64_t)b->usable), text_or_null(b->type),
                text_or_null(b->leak), retained_cell(b->retained), output_cell_text(held_by), cell_int((int64_t)hops),
        };
        int r = output_set_begin(o, "target", true, names, ELEMENTSOF(names));
        if (r == 0)
                r = output_set_row(o, c);
        return r < 0 ? r : output_set_end(o);
}

static int print_root(struct output *o, const struct why_root *root, const struct why_edge *e)
{
        static const char *const names[] = { "root_id", "kind", "name", "tid", "conservative", "pointer_address",
                                             "pointer_offset", "to_offset", "retained_bytes", "note" };
        char note[160] = "";
        if (root->conservative)
                snprintf(note, sizeof(note), "conservative root: may be a stale copy");
        if (e->to_offset)
                snprintf(note + strlen(note), sizeof(note) - strlen(note), "%sinterior pointer: %" PRId64
                         " bytes into the block", note[0] ? "; " : "", e->to_offset);
        struct output_cell c[] = {
                root->id ? cell_int(root->id) : cell_null(), text_or_null(root->kind), output_cell_text(root->name),
                root->tid ? cell_int(root->tid) : cell_null(), cell_int(root->conservative),
                e->from_address ? cell_int(e->from_address) : cell_null(), cell_int(e->from_offset),
                cell_int(e->to_offset), retained_cell(root->retained), text_or_null(note),
        };
        int r = output_set_begin(o, "root", true, names, ELEMENTSOF(names));
        if (r == 0)
                r = output_set_row(o, c);
        return r < 0 ? r : output_set_end(o);
}

static int print_leak(struct output *o, const struct why_block *head, const struct why_block *target)
{
        static const char *const names[] = { "mem", "size", "type", "leak", "retained_bytes", "note" };
        const char *note = head->id == target->id ? "the block is a leak itself: no root and no leaked block points to it"
                           : strcmp(head->leak, "definite") == 0
                                   ? "the definite leak that heads the leaked structure holding the block"
                                   : "the leaked block that heads the structure holding the block";
        struct output_cell c[] = {
                cell_int((int64_t)head->mem), cell_int((int64_t)head->size), text_or_null(head->type),
                text_or_null(head->leak), retained_cell(head->retained), output_cell_text(note),
        };
        int r = output_set_begin(o, "leak", true, names, ELEMENTSOF(names));
        if (r == 0)
                r = output_set_row(o, c);
        return r < 0 ? r : output_set_end(o);
}

/* The blocks from node first to the target, one row each. */
static int print_chain(struct output *o, struct why_db *w, const struct why_search *s, size_t first)
{
        static const char *const names[] = { "step", "mem", "size", "type", "leak", "retained_bytes",
                                             "pointer_offset", "to_offset", "note" };
        _cleanup_(why_block_clear) struct why_block b = { 0 };
        int r = output_set_begin(o, "chain", false, names, ELEMENTSOF(names));

        for (size_t k = first, step = 1; r == 0; k = s->nodes[k].next, step++) {
                const struct why_node *n = &s->nodes[k];
                bool last = n->hops == 0;
                char note[96] = "";
                r = why_db_block(w, n->block, &b);
                if (r < 0)
                        break;
                if (last)
                        snprintf(note, sizeof(note), "the target");
                else if (n->via.to_offset)
                        snprintf(note, sizeof(note), "interior pointer: %" PRId64 " bytes into the next block",
                                 n->via.to_offset);
                struct output_cell c[] = {
                        cell_int((int64_t)step), cell_int((int64_t)b.mem), cell_int((int64_t)b.size),
                        text_or_null(b.type), text_or_null(b.leak), retained_cell(b.retained),
                        last ? cell_null() : cell_int(n->via.from_offset),
                        last ? cell_null() : cell_int(n->via.to_offset), text_or_null(note),
                };
                r = output_set_row(o, c);
                if (last)
                        break;
        }
        return r < 0 ? r : output_set_end(o);
}

static int why_answer(struct why_db *w, struct output *o, uint64_t address, size_t max_blocks)
{
        _cleanup_(why_block_clear) struct why_block target = { 0 }, head = { 0 };
        _cleanup_(why_root_clear) struct why_root root = { 0 };
        _cleanup_(why_search_free) struct why_search s = { 0 };
        int r;

        r = why_db_locate(w, address, &target);
        if (r < 0)
                return r;
        r = why_search_run(&s, target.id, max_blocks, why_db_edges, w);
        if (r < 0)
                return r;
        if (s.found) {
                if (s.limit_hit)
                        log_warning("the search stopped after %zu blocks (--max-blocks): the chain shown is the "
                                    "shortest, but an equally short one may have fewer interior pointers", s.n);
                r = why_db_root(w, &s.root, s.nodes[s.root_node].block, &root);
                if (r == 0)
                        r = output_doc_begin(o);
                if (r == 0)
                        r = print_target(o, address, &target, root.name, s.nodes[s.root_node].hops + 1);
                if (r == 0)
                        r = print_root(o, &root, &s.root);
                if (r == 0)
                        r = print_chain(o, w, &s, s.root_node);
        } else if (s.limit_hit) {
                _cleanup_free_ char *leak = text_escape_display(target.leak[0] ? target.leak : "none");
                r = log_error_errno(E2BIG, "no root holder reaches 0x%" PRIx64 " within the %zu blocks searched "
                                    "(--max-blocks); analyze's verdict is '%s'", address, s.n, leak ? leak : "?");
        } else {
                r = why_db_leak_head(w, &s, &target, &head);
                long k = r == 0 ? why_search_find(&s, head.id) : -1;
                char held_by[64];
                snprintf(held_by, sizeof(held_by), "leak: 0x%" PRIx64, head.mem);
                if (r == 0)
                        r = output_doc_begin(o);
                if (r == 0)
                        r = print_target(o, address, &target, held_by, k >= 0 ? s.nodes[k].hops : 0);
                if (r == 0)
                        r = print_leak(o, &head, &target);
                if (r == 0 && k >= 0)
                        r = print_chain(o, w, &s, (size_t)k);
        }
        return r < 0 ? r : output_doc_end(o);
}

int cmd_why(int argc, char **argv)
{
        struct output_args oa = OUTPUT_ARGS_INIT;
        struct db_guard guard = DB_GUARD_INIT;
        uint64_t max_blocks = WHY_MAX_BLOCKS_DEFAULT;
        const struct option_spec options[] = {
                OUTPUT_ARGS_OPTIONS(oa),
                OPTION_SET(0, "bytes", oa.human, 0, "sizes as exact byte counts; the default in a pipe"),
                OPTION_SET(0, "human", oa.human, 1, "sizes in B/KiB/MiB; the default in table, markdown, line"),
                OPTION_UNSIGNED(0, "max-blocks", "N", max_blocks, 1, SIZE_MAX / 4,
                                "search at most N blocks for a chain (default {default}); says so when reached"),
                DB_MAX_STEPS_OPTION(guard.max_steps, ""),
        };
        const struct options_command cli = {
                .name = "why",
                .usage = "[OPTIONS] DB ADDRESS",
                .about = why_about,
                .epilogue = why_epilogue,
                .operands_end_options = true,
                .operands_noun = "the database",
                .operands_pronoun = "it",
                .options = options,
                .noptions = ELEMENTSOF(options),
        };

        int first = options_parse(&cli, argc, argv);
        if (first <= 0)
                return first == 0 ? EXIT_OK : EXIT_USAGE;
        /* no address starts with '-': such a word is an option put too late */
        if (options_check_late(&cli, argc, argv, first + 1) < 0)
                return EXIT_USAGE;
        if (argc - first != 2) {
                log_error("why needs a database and one address: memsnap why [OPTIONS] DB ADDRESS");
                return EXIT_USAGE;
        }
        uint64_t address;
        if (parse_address(argv[first + 1], &address) < 0)
                return EXIT_USAGE;
        struct output_options opt;
        if (output_args_finish(&oa, stdout, true, &opt) < 0)
                return EXIT_USAGE;

        _cleanup_sqlite3_ sqlite3 *db = NULL;
        if (db_open_readonly(argv[first], &guard, &db) < 0)
                return EXIT_FAIL;
        struct why_db w = { .db = db, .guard = &guard, .path = argv[first] };
        struct output o;
        output_init(&o, &opt, true);
        int r = why_answer(&w, &o, address, (size_t)max_blocks);
        output_free(&o);
        why_db_close(&w);
        return r < 0 ? EXIT_FAIL : EXIT_OK;
}
