/*
 * Unit tests for schema/: the C side of the database contract held against
 * the SQL side, as SQLite reads it.  The version the SQL sets is the one
 * the readers check; every text a table of schema_enum.c knows is the one
 * its column's comment lists (SQLite keeps a CREATE TABLE's text, comments
 * and all), and the views count it; every text a view or a report compares
 * a column with is one the tables know.  So neither side can gain, lose or
 * respell a value alone.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "common/cleanup.h"
#include "common/segment_kind.h"
#include "query/report_sql.h"
#include "schema/schema_enum.h"
#include "schema/schema_sql.h"
#include "schema/schema_version.h"

#define WORDS_MAX 32

/* A set of words, as a column's comment or a view's comparisons give them. */
struct words {
        char w[WORDS_MAX][32];
        size_t n;
};

static bool words_has(const struct words *s, const char *w)
{
        for (size_t i = 0; i < s->n; i++)
                if (strcmp(s->w[i], w) == 0)
                        return true;
        return false;
}

static void words_add(struct words *s, const char *w, size_t len)
{
        char buf[32];
        assert_true(len > 0 && len < sizeof(buf));
        memcpy(buf, w, len);
        buf[len] = '\0';
        if (words_has(s, buf))
                return;
        assert_true(s->n < WORDS_MAX);
        memcpy(s->w[s->n++], buf, len + 1);
}

/* An in-memory database made of every file schema/sql holds, as analyze runs them. */
static sqlite3 *schema_db(void)
{
        sqlite3 *db = NULL;
        assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
        for (size_t i = 0; i < schema_sql_files_count; i++) {
                char *err = NULL;
                if (sqlite3_exec(db, schema_sql_files[i].text, NULL, NULL, &err) != SQLITE_OK)
                        fail_msg("schema/sql/%s.sql: %s", schema_sql_files[i].name, err ? err : "?");
        }
        return db;
}

static void exec_ok(sqlite3 *db, const char *sql)
{
        char *err = NULL;
        if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
                fail_msg("%s: %s", sql, err ? err : "?");
}

/* The one integer sql returns; fails the test unless there is one row. */
static int64_t one_int(sqlite3 *db, const char *sql)
{
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
                fail_msg("%s: %s", sql, sqlite3_errmsg(db));
        if (sqlite3_step(st) != SQLITE_ROW)
                fail_msg("%s: no row", sql);
        int64_t v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        return v;
}

/* The texts of e (or of segments.kind, for e NULL), the values stored as NULL left out. */
static void enum_texts(const struct schema_enum *e, struct words *out, bool *has_null)
{
        *out = (struct words){ 0 };
        *has_null = false;
        if (!e) {
                for (unsigned k = 0; k < SEG_KIND_COUNT; k++)
                        words_add(out, segment_kind_name(k), strlen(segment_kind_name(k)));
                return;
        }
        for (unsigned v = 0; v < e->count; v++) {
                const char *t = schema_enum_text(e, v);
                if (t)
                        words_add(out, t, strlen(t));
                else
                        *has_null = true;
        }
}

static void test_version(void **state)
{
        (void)state;
        sqlite3 *db = schema_db();
        assert_int_equal(one_int(db, "PRAGMA user_version"), SCHEMA_VERSION);
        sqlite3_close(db);
}

/* Each value reads back as itself; no two values share a text; a text of no value reads as -1. */
static void test_tables(void **state)
{
        (void)state;
        for (size_t i = 0; i < schema_enums_count; i++) {
                const struct schema_enum *e = schema_enums[i];
                bool has_null = false;
                for (unsigned v = 0; v < e->count; v++) {
                        const char *t = schema_enum_text(e, v);
                        if (t) {
                                assert_int_equal(e->texts[v].len, strlen(t));
                        } else {
                                assert_false(has_null); /* one value at most is NULL */
                                has_null = true;
                        }
                        assert_int_equal(schema_enum_parse(e, t), v);
                }
                assert_null(schema_enum_text(e, e->count));
                assert_int_equal(schema_enum_parse(e, "no such text"), -1);
                if (!has_null)
                        assert_int_equal(schema_enum_parse(e, NULL), -1);
        }
}

/*
 * The texts a column's comment in its CREATE TABLE lists: clauses split by
 * ';', a clause that starts "NULL" says when the column is NULL, and a word
 * before ':' labels a clause ("glibc: in_use, idle").
 */
static void comment_texts(sqlite3 *db, const char *table, const char *column, struct words *out, bool *has_null)
{
        sqlite3_stmt *st = NULL;
        assert_int_equal(sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?1", -1,
                                            &st, NULL),
                         SQLITE_OK);
        sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW)
                fail_msg("schema.sql has no table %s", table);
        const char *sql = (const char *)sqlite3_column_text(st, 0);
        const char *comment = NULL;
        size_t clen = strlen(column);
        for (const char *line = sql; line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
                const char *p = line + strspn(line, " ");
                if (strncmp(p, column, clen) == 0 && p[clen] == ' ') {
                        const char *end = strchr(p, '\n');
                        comment = strstr(p, "--");
                        if (comment && end && comment > end)
                                comment = NULL;
                        break;
                }
        }
        if (!comment)
                fail_msg("%s.%s has no comment that lists its texts", table, column);

        *out = (struct words){ 0 };
        *has_null = false;
        const char *p = comment + 2, *end = p + strcspn(p, "\n");
        while (p < end) {
                const char *clause_end = memchr(p, ';', (size_t)(end - p));
                if (!clause_end)
                        clause_end = end;
                p += strspn(p, " ");
                if (strncmp(p, "NULL", 4) == 0) {
                        *has_null = true;
                } else {
                        while (p < clause_end) {
                                size_t n = 0;
                                while (p + n < clause_end && (islower((unsigned char)p[n]) || isdigit((unsigned char)p[n]) || p[n] == '_'))
                                        n++;
                                if (n && p[n] != ':')
                                        words_add(out, p, n);
                                p += n ? n : 1;
                        }
                }
                p = clause_end + 1;
        }
        sqlite3_finalize(st);
}

static void assert_same_words(const struct words *c, const struct words *sql, const char *what)
{
        for (size_t i = 0; i < c->n; i++)
                if (!words_has(sql, c->w[i]))
                        fail_msg("%s: '%s' is in schema/schema_enum.c but not in schema.sql's comment", what, c->w[i]);
        for (size_t i = 0; i < sql->n; i++)
                if (!words_has(c, sql->w[i]))
                        fail_msg("%s: '%s' is in schema.sql's comment but not in schema/schema_enum.c", what, sql->w[i]);
}

static void test_column_comments(void **state)
{
        (void)state;
        sqlite3 *db = schema_db();
        for (size_t i = 0; i <= schema_enums_count; i++) {
                const struct schema_enum *e = i < schema_enums_count ? schema_enums[i] : NULL;
                const char *table = e ? e->table : "segments", *column = e ? e->column : "kind";
                struct words c, sql;
                bool c_null, sql_null;
                char what[64];

                snprintf(what, sizeof(what), "%s.%s", table, column);
                enum_texts(e, &c, &c_null);
                comment_texts(db, table, column, &sql, &sql_null);
                assert_same_words(&c, &sql, what);
                if (c_null != sql_null)
                        fail_msg("%s: the table %s a value stored as NULL, the comment %s", what,
                                 c_null ? "has" : "has no", sql_null ? "says when it is NULL" : "does not");
                /* and the column is there, as text */
                char sql_type[160];
                snprintf(sql_type, sizeof(sql_type),
                         "SELECT count(*) FROM pragma_table_info('%s') WHERE name = '%s' AND type = 'TEXT'", table, column);
                assert_int_equal(one_int(db, sql_type), 1);
        }
        sqlite3_close(db);
}

/*
 * The views read each text: every state and glibc bin has its heap_summary
 * column and is counted there.  BIN_SLAB is jemalloc's: heap_summary is
 * glibc's arenas' view, and jemalloc's regions are counted by jemalloc_stats.
 */
static void test_heap_summary_counts(void **state)
{
        (void)state;
        sqlite3 *db = schema_db();
        char sql[512];

        exec_ok(db, "INSERT INTO arenas(id, is_main, system_mem) VALUES (1, 1, 1048576)");
        for (unsigned s = 0; s < schema_enum_chunk_state.count; s++)
                for (unsigned b = 0; b < BIN_SLAB; b++) {
                        const char *st = schema_enum_text(&schema_enum_chunk_state, s);
                        const char *bin = schema_enum_text(&schema_enum_chunk_bin, b);
                        /* a chunk of each pair, sized so each pair's bytes are told apart */
                        snprintf(sql, sizeof(sql),
                                 "INSERT INTO chunks(address, mem, size, size_class, usable, state, bin, mmapped, arena_id)"
                                 " VALUES (%u, %u, %u, 0, 0, '%s', %s%s%s, 0, 1)",
                                 (s * 8 + b) * 4096, (s * 8 + b) * 4096 + 16, 1u << (s * 8 + b), st, bin ? "'" : "",
                                 bin ? bin : "NULL", bin ? "'" : "");
                        exec_ok(db, sql);
                }
        for (unsigned s = 0; s < schema_enum_chunk_state.count; s++) {
                const char *st = schema_enum_text(&schema_enum_chunk_state, s);
                uint64_t want = 0;
                for (unsigned b = 0; b < BIN_SLAB; b++)
                        want |= 1ull << (s * 8 + b);
                snprintf(sql, sizeof(sql), "SELECT %s_bytes FROM heap_summary WHERE arena_id IS NULL", st);
                assert_int_equal(one_int(db, sql), want);
        }
        for (unsigned b = 0; b < BIN_SLAB; b++) {
                const char *bin = schema_enum_text(&schema_enum_chunk_bin, b);
                if (!bin)
                        continue;
                uint64_t want = 0;
                for (unsigned s = 0; s < schema_enum_chunk_state.count; s++)
                        want |= 1ull << (s * 8 + b);
                snprintf(sql, sizeof(sql), "SELECT %s_chunks * (%s_bytes = %llu) FROM heap_summary WHERE arena_id IS NULL",
                         bin, bin, (unsigned long long)want);
                assert_int_equal(one_int(db, sql), schema_enum_chunk_state.count);
        }
        /* and heap_summary counts by no text the tables do not know */
        sqlite3_stmt *st = NULL;
        assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info('heap_summary') WHERE name LIKE '%\\_bytes' ESCAPE '\\'",
                                            -1, &st, NULL),
                         SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW) {
                const char *col = (const char *)sqlite3_column_text(st, 0);
                char text[32];
                snprintf(text, sizeof(text), "%.*s", (int)(strlen(col) - strlen("_bytes")), col);
                /* the two figures that no text picks out: derived from system_mem, and from mmapped */
                if (strcmp(text, "overhead") == 0 || strcmp(text, "mmapped") == 0)
                        continue;
                if (schema_enum_parse(&schema_enum_chunk_state, text) < 0 && schema_enum_parse(&schema_enum_chunk_bin, text) < 0)
                        fail_msg("heap_summary.%s: '%s' is no chunks.state or chunks.bin of schema/schema_enum.c", col, text);
        }
        sqlite3_finalize(st);
        sqlite3_close(db);
}

/* leak_summary lists exactly the verdicts, and counts a block of each under it. */
static void test_leak_summary(void **state)
{
        (void)state;
        sqlite3 *db = schema_db();
        struct words c, view = { 0 };
        bool has_null;
        char sql[256];

        enum_texts(&schema_enum_leak, &c, &has_null);
        for (unsigned v = 0; v < schema_enum_leak.count; v++) {
                const char *t = schema_enum_text(&schema_enum_leak, v);
                if (!t)
                        continue;
                snprintf(sql, sizeof(sql),
                         "INSERT INTO chunks(address, mem, size, size_class, usable, state, mmapped, leak)"
                         " VALUES (%u, %u, 64, 64, %u, 'used', 0, '%s')", v * 64, v * 64 + 16, 8 * (v + 1), t);
                exec_ok(db, sql);
                snprintf(sql, sizeof(sql), "SELECT blocks = 1 AND bytes = %u FROM leak_summary WHERE leak = '%s'", 8 * (v + 1), t);
                assert_int_equal(one_int(db, sql), 1);
        }
        sqlite3_stmt *st = NULL;
        assert_int_equal(sqlite3_prepare_v2(db, "SELECT leak FROM leak_summary", -1, &st, NULL), SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW) {
                const char *t = (const char *)sqlite3_column_text(st, 0);
                words_add(&view, t, strlen(t));
        }
        sqlite3_finalize(st);
        assert_same_words(&c, &view, "leak_summary.leak");
        sqlite3_close(db);
}

/* SQL split into what the comparisons are made of: words, 'strings' and single characters. */
enum token_kind { TOKEN_WORD, TOKEN_STRING, TOKEN_PUNCT };

struct token {
        enum token_kind kind;
        const char *s;              /* a word's last dotted part; a string's text, quotes off */
        size_t len;
};

static size_t sql_tokens(const char *sql, struct token **ret)
{
        struct token *v = NULL;
        size_t n = 0, cap = 0;
        const char *p = sql;

        while (*p) {
                struct token t;
                if (isspace((unsigned char)*p)) {
                        p++;
                        continue;
                }
                if (p[0] == '-' && p[1] == '-') {
                        p += strcspn(p, "\n");
                        continue;
                }
                if (*p == '\'') {
                        /* our SQL's compared texts hold no quote, so '' needs no decoding */
                        const char *end = strchr(p + 1, '\'');
                        assert_non_null(end);
                        t = (struct token){ TOKEN_STRING, p + 1, (size_t)(end - p - 1) };
                        p = end + 1;
                } else if (isalpha((unsigned char)*p) || *p == '_') {
                        const char *start = p;
                        while (isalnum((unsigned char)*p) || *p == '_' || *p == '.')
                                p++;
                        const char *dot = memrchr(start, '.', (size_t)(p - start));
                        t = (struct token){ TOKEN_WORD, dot ? dot + 1 : start, (size_t)(p - (dot ? dot + 1 : start)) };
                } else {
                        /* <>, != and == as one: what follows them is all that matters */
                        size_t len = (p[0] == '<' && p[1] == '>') || (p[0] == '!' && p[1] == '=') || (p[0] == '=' && p[1] == '=') ? 2 : 1;
                        t = (struct token){ TOKEN_PUNCT, p, len };
                        p += len;
                }
                if (n == cap) {
                        cap = cap ? 2 * cap : 256;
                        v = realloc(v, cap * sizeof(*v));
                        assert_non_null(v);
                }
                v[n++] = t;
        }
        *ret = v;
        return n;
}

static bool token_is(const struct token *t, enum token_kind kind, const char *s)
{
        return t->kind == kind && t->len == strlen(s) && strncasecmp(t->s, s, t->len) == 0;
}

static bool token_compares(const struct token *t)
{
        return token_is(t, TOKEN_PUNCT, "=") || token_is(t, TOKEN_PUNCT, "<>") || token_is(t, TOKEN_PUNCT, "!=") ||
               token_is(t, TOKEN_PUNCT, "==");
}

/* A column compared with texts, the texts it may be compared with, and how many comparisons were seen. */
struct compared {
        const char *column;
        struct words known;
        size_t seen;
};

static void check_text(struct compared *c, const struct token *t, const char *where)
{
        char text[64];
        snprintf(text, sizeof(text), "%.*s", (int)t->len, t->s);
        if (!words_has(&c->known, text))
                fail_msg("%s compares %s with '%s', which schema/schema_enum.c does not know", where, c->column, text);
        c->seen++;
}

/*
 * Finds in sql every `column = 'text'` (and <>, !=), `'text' = column`,
 * `column [NOT] IN ('text', ...)` and `CASE column WHEN 'text' ...` of the
 * columns in cols, and checks each text.
 */
static void check_comparisons(const char *sql, const char *where, struct compared *cols, size_t ncols)
{
        struct token *v = NULL;
        size_t n = sql_tokens(sql, &v);

        for (size_t i = 0; i < n; i++)
                for (size_t k = 0; k < ncols; k++) {
                        struct compared *c = &cols[k];
                        if (!token_is(&v[i], TOKEN_WORD, c->column))
                                continue;
                        if (i + 2 < n && token_compares(&v[i + 1]) && v[i + 2].kind == TOKEN_STRING)
                                check_text(c, &v[i + 2], where);
                        if (i >= 2 && token_compares(&v[i - 1]) && v[i - 2].kind == TOKEN_STRING)
                                check_text(c, &v[i - 2], where);
                        size_t j = i + 1;
                        if (j < n && token_is(&v[j], TOKEN_WORD, "NOT"))
                                j++;
                        if (j + 1 < n && token_is(&v[j], TOKEN_WORD, "IN") && token_is(&v[j + 1], TOKEN_PUNCT, "(") &&
                            j + 2 < n && v[j + 2].kind == TOKEN_STRING)
                                for (j += 2; j < n && v[j].kind == TOKEN_STRING; j += 2) {
                                        check_text(c, &v[j], where);
                                        if (j + 1 >= n || !token_is(&v[j + 1], TOKEN_PUNCT, ","))
                                                break;
                                }
                        if (i >= 1 && token_is(&v[i - 1], TOKEN_WORD, "CASE")) {
                                int depth = 0;
                                for (j = i + 1; j < n; j++) {
                                        if (token_is(&v[j], TOKEN_WORD, "CASE"))
                                                depth++;
                                        else if (token_is(&v[j], TOKEN_WORD, "END") && depth-- == 0)
                                                break;
                                        else if (depth == 0 && token_is(&v[j], TOKEN_WORD, "WHEN") && j + 1 < n &&
                                                 v[j + 1].kind == TOKEN_STRING)
                                                check_text(c, &v[j + 1], where);
                                }
                        }
                }
        free(v);
}

static void test_view_and_report_texts(void **state)
{
        (void)state;
        sqlite3 *db = schema_db();
        bool has_null;
        struct compared cols[] = {
                { .column = "state" }, { .column = "bin" },  { .column = "leak" },   { .column = "root_kind" },
                { .column = "kind" },  { .column = "name" }, { .column = "source" }, { .column = "file_status" },
        };
        struct words more;

        /* state: chunks', allocators' and jemalloc_extents'; a comparison does not say which table it reads */
        enum_texts(&schema_enum_chunk_state, &cols[0].known, &has_null);
        enum_texts(&schema_enum_allocator_state, &more, &has_null);
        for (size_t i = 0; i < more.n; i++)
                words_add(&cols[0].known, more.w[i], strlen(more.w[i]));
        enum_texts(&schema_enum_jemalloc_extent_state, &more, &has_null);
        for (size_t i = 0; i < more.n; i++)
                words_add(&cols[0].known, more.w[i], strlen(more.w[i]));
        enum_texts(&schema_enum_chunk_bin, &cols[1].known, &has_null);
        enum_texts(&schema_enum_leak, &cols[2].known, &has_null);
        enum_texts(&schema_enum_root_kind, &cols[3].known, &has_null);
        enum_texts(NULL, &cols[4].known, &has_null);
        /* kind: segments' and roots' (roots.kind takes refs.root_kind's texts) */
        enum_texts(&schema_enum_root_kind, &more, &has_null);
        for (size_t i = 0; i < more.n; i++)
                words_add(&cols[4].known, more.w[i], strlen(more.w[i]));
        /* name: allocators' (no other table's name is compared with a text) */
        enum_texts(&schema_enum_allocator_kind, &cols[5].known, &has_null);
        enum_texts(&schema_enum_core_source, &cols[6].known, &has_null);
        enum_texts(&schema_enum_module_file_status, &cols[7].known, &has_null);
        /* kind: segment_summary adds its own row kinds (the 'total' row), as SQLite shows on no segments */
        {
                sqlite3_stmt *st = NULL;
                assert_int_equal(sqlite3_prepare_v2(db, "SELECT kind FROM segment_summary", -1, &st, NULL), SQLITE_OK);
                while (sqlite3_step(st) == SQLITE_ROW) {
                        const char *t = (const char *)sqlite3_column_text(st, 0);
                        words_add(&cols[4].known, t, strlen(t));
                }
                sqlite3_finalize(st);
        }

        sqlite3_stmt *st = NULL;
        assert_int_equal(sqlite3_prepare_v2(db, "SELECT name, sql FROM sqlite_schema WHERE type = 'view'", -1, &st, NULL),
                         SQLITE_OK);
        size_t views = 0;
        while (sqlite3_step(st) == SQLITE_ROW) {
                char where[64];
                snprintf(where, sizeof(where), "view %s", (const char *)sqlite3_column_text(st, 0));
                check_comparisons((const char *)sqlite3_column_text(st, 1), where, cols, ELEMENTSOF(cols));
                views++;
        }
        sqlite3_finalize(st);
        assert_true(views >= 5);
        for (size_t i = 0; i < report_sql_files_count; i++) {
                char where[64];
                snprintf(where, sizeof(where), "query/reports/%s.sql", report_sql_files[i].name);
                check_comparisons(report_sql_files[i].text, where, cols, ELEMENTSOF(cols));
        }
        /* the scan found what the SQL is known to compare: a scan that sees nothing checks nothing */
        for (size_t k = 0; k < 6; k++)
                if (!cols[k].seen)
                        fail_msg("no comparison of %s found in the views and reports", cols[k].column);
        sqlite3_close(db);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_version),
                cmocka_unit_test(test_tables),
                cmocka_unit_test(test_column_comments),
                cmocka_unit_test(test_heap_summary_counts),
                cmocka_unit_test(test_leak_summary),
                cmocka_unit_test(test_view_and_report_texts),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
