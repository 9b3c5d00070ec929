/*
 * Implementation of sql_script.h: a first pass prepares every statement to
 * refuse writes before any output, a second pass runs them one by one.
 */
#include "sql_script.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/text_escape.h"
#include "db_open.h"

/* How much of a refused statement the message quotes. */
#define STATEMENT_QUOTE_MAX 80

static const char *skip_space(const char *p, const char *end)
{
        while (p < end && isspace((unsigned char)*p))
                p++;
        return p;
}

/* If the comment line [p, eol) is "-- KEY: value", copies value to out. */
static bool directive(const char *p, const char *eol, const char *key, char *out, size_t size)
{
        size_t klen = strlen(key);

        p += 2; /* "--" */
        p = skip_space(p, eol);
        if ((size_t)(eol - p) <= klen || strncmp(p, key, klen) != 0 || p[klen] != ':')
                return false;
        p = skip_space(p + klen + 1, eol);
        const char *e = eol;
        while (e > p && isspace((unsigned char)e[-1]))
                e--;
        size_t n = MIN((size_t)(e - p), size - 1);
        memcpy(out, p, n);
        out[n] = '\0';
        return true;
}

void sql_directives_parse(const char *text, size_t len, struct sql_directives *d)
{
        const char *p = text, *end = text + len;
        char value[64];

        *d = (struct sql_directives){ 0 };
        for (;;) {
                p = skip_space(p, end);
                if (end - p < 2 || p[0] != '-' || p[1] != '-')
                        return;
                const char *eol = memchr(p, '\n', (size_t)(end - p));
                if (!eol)
                        eol = end;
                if (directive(p, eol, "section", value, sizeof(value)))
                        snprintf(d->section, sizeof(d->section), "%s", value);
                else if (directive(p, eol, "layout", value, sizeof(value)))
                        d->vertical = strcmp(value, "vertical") == 0;
                else if (directive(p, eol, "empty", value, sizeof(value)))
                        d->omit_empty = strcmp(value, "omit") == 0;
                p = eol;
        }
}

bool sql_script_empty(const char *sql)
{
        const char *p = sql;

        for (;;) {
                while (isspace((unsigned char)*p) || *p == ';')
                        p++;
                if (p[0] == '-' && p[1] == '-') {
                        p += strcspn(p, "\n");
                } else if (p[0] == '/' && p[1] == '*') {
                        /* SQLite: an unterminated comment runs to the end */
                        const char *e = strstr(p + 2, "*/");
                        p = e ? e + 2 : p + strlen(p);
                } else
                        return *p == '\0';
        }
}

/* The first line of the statement at text, shortened and escaped, for messages. */
static void text_quote(const char *text, char *buf, size_t size)
{
        const char *p = text, *end = p + strlen(p);

        /* skip the comment lines and blanks in front of the statement */
        for (;;) {
                p = skip_space(p, end);
                if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
                        const char *eol = memchr(p, '\n', (size_t)(end - p));
                        p = eol ? eol : end;
                        continue;
                }
                break;
        }
        size_t n = 0;
        while (p + n < end && p[n] != '\n' && p[n] != ';')
                n++;
        while (n > 0 && isspace((unsigned char)p[n - 1]))
                n--;
        _cleanup_free_ char *line = strndup(p, MIN(n, (size_t)STATEMENT_QUOTE_MAX));
        _cleanup_free_ char *shown = line ? text_escape_display(line) : NULL;
        snprintf(buf, size, "%s%s", shown ? shown : "", n > STATEMENT_QUOTE_MAX ? "..." : "");
}

static int refuse_write(sqlite3_stmt *st)
{
        char quote[STATEMENT_QUOTE_MAX * 4 + 8];

        text_quote(sqlite3_sql(st) ? sqlite3_sql(st) : "", quote, sizeof(quote));
        return log_error_errno(EPERM, "refusing to run '%s': it writes", quote);
}

/*
 * Why the statement at text failed to prepare or run: refused by the
 * guard's authorizer (a statement that does more than read), stopped by
 * its step limit, or SQLite's own error (bad SQL).  Logs and returns -EPERM,
 * -ETIME or -EINVAL.
 */
static int statement_error(sqlite3 *db, struct db_guard *g, const char *path, const char *text)
{
        char quote[STATEMENT_QUOTE_MAX * 4 + 8];
        int r = db_open_error_code(db, g);

        if (r == -EPERM) {
                text_quote(text, quote, sizeof(quote));
                return log_error_errno(EPERM, "refusing to run '%s': %s", quote, g->refused);
        }
        if (r == -ETIME)
                return log_error_errno(ETIME, "query on '%s' %s", path, db_open_errmsg(db, g));
        return log_error_errno(EINVAL, "query failed on '%s': %s", path, db_open_errmsg(db, g));
}

/*
 * Refuses a script with a statement that does more than read before
 * anything of it runs: the guard's authorizer refuses such statements when
 * they are prepared, and VACUUM INTO, which no authorizer sees and SQLite
 * allows on a read-only connection, is not read-only.  A statement that
 * does not prepare for another reason (bad SQL) ends the check; the run
 * reports it in turn.
 */
/* A script's shared WITH clause (sql_script.h): [with, with + len), and where the statements begin. */
struct shared_with {
        const char *with;
        size_t len;
        const char *rest;
};

static bool line_is(const char *p, const char *line)
{
        size_t n = strlen(line);
        return strncmp(p, line, n) == 0 && (p[n] == '\n' || p[n] == '\0');
}

/* Finds "-- shared: with" ... "-- end shared" among the script's leading lines, before any statement. */
static struct shared_with shared_with_find(const char *sql)
{
        struct shared_with w = { .rest = sql };
        const char *p = sql;
        /* only comment lines and blanks may come before it */
        for (;;) {
                p += strspn(p, " \t\r\n");
                if (line_is(p, "-- shared: with"))
                        break;
                if (p[0] != '-' || p[1] != '-')
                        return w;
                p += strcspn(p, "\n");
        }
        const char *start = p + strcspn(p, "\n");
        for (const char *l = start; *l; l += strcspn(l, "\n")) {
                l += *l == '\n';
                if (line_is(l, "-- end shared")) {
                        w.with = start;
                        w.len = (size_t)(l - start);
                        w.rest = l + strcspn(l, "\n");
                        return w;
                }
        }
        return w;
}

/*
 * sqlite3_prepare_v2 of the statement at p, with the script's shared WITH
 * clause in front when there is one; *tail points into p's text either way.
 */
static int prepare_next(sqlite3 *db, const struct shared_with *w, const char *p, sqlite3_stmt **st,
                        const char **tail)
{
        if (!w->with)
                return sqlite3_prepare_v2(db, p, -1, st, tail);
        size_t n = strlen(p);
        _cleanup_free_ char *text = malloc(w->len + n + 1);
        if (!text)
                return SQLITE_NOMEM;
        memcpy(text, w->with, w->len);
        memcpy(text + w->len, p, n + 1);
        const char *t = NULL;
        int rc = sqlite3_prepare_v2(db, text, (int)(w->len + n + 1), st, &t);
        *tail = t && t >= text + w->len ? p + (t - text - w->len) : p + n;
        return rc;
}

/* Where the statement at p ends: after the ';' that completes it with w's clause in front, else the text's end. */
static const char *statement_end(const struct shared_with *w, const char *p)
{
        size_t n = strlen(p);
        _cleanup_free_ char *text = malloc(w->len + n + 1);
        if (!text)
                return p + n;
        memcpy(text, w->with, w->len);
        for (const char *e = strchr(p, ';'); e; e = strchr(e + 1, ';')) {
                size_t k = (size_t)(e + 1 - p);
                memcpy(text + w->len, p, k);
                text[w->len + k] = '\0';
                if (sqlite3_complete(text))
                        return e + 1;
        }
        return p + n;
}

void sql_script_expand(const char *sql, FILE *out)
{
        struct shared_with w = shared_with_find(sql);
        if (!w.with) {
                fputs(sql, out);
                return;
        }
        /* the comment lines before the clause, then each statement: its own comment lines, the clause, the rest */
        const char *head_end = w.with;
        while (head_end > sql && head_end[-1] != '\n')
                head_end--;
        fwrite(sql, 1, (size_t)(head_end - sql), out);
        const char *p = w.rest;
        while (*p && !sql_script_empty(p)) {
                const char *end = statement_end(&w, p), *body = p;
                for (;;) {
                        body += strspn(body, " \t\r\n");
                        if (body[0] != '-' || body[1] != '-')
                                break;
                        body += strcspn(body, "\n");
                }
                if (body > end)
                        body = end;
                while (body > p && body[-1] != '\n')
                        body--;
                fwrite(p, 1, (size_t)(body - p), out);
                fwrite(w.with + (w.with[0] == '\n'), 1, w.len - (w.with[0] == '\n'), out);
                fwrite(body, 1, (size_t)(end - body), out);
                p = end;
        }
        fputs(p, out);
}

static int check_readonly(sqlite3 *db, struct db_guard *g, const char *path, const struct shared_with *w)
{
        const char *p = w->rest;

        while (*p && !(w->with && sql_script_empty(p))) {
                _cleanup_stmt_ sqlite3_stmt *st = NULL;
                const char *tail = NULL;
                if (prepare_next(db, w, p, &st, &tail) != SQLITE_OK)
                        return db_open_error_code(db, g) == -EPERM ? statement_error(db, g, path, p) : 0;
                if (st && !sqlite3_stmt_readonly(st))
                        return refuse_write(st);
                if (!tail || tail == p)
                        break;
                p = tail;
        }
        return 0;
}

static int bind_params(sqlite3 *db, sqlite3_stmt *st, const struct sql_param *params, size_t nparams)
{
        for (size_t i = 0; i < nparams; i++) {
                char name[64];
                snprintf(name, sizeof(name), ":%s", params[i].name);
                int idx = sqlite3_bind_parameter_index(st, name);
                if (idx > 0 && sqlite3_bind_int64(st, idx, params[i].value) != SQLITE_OK)
                        return log_error_errno(EINVAL, "cannot bind %s: %s", name, sqlite3_errmsg(db));
        }
        return 0;
}

static struct output_cell column_cell(sqlite3_stmt *st, int i)
{
        switch (sqlite3_column_type(st, i)) {
        case SQLITE_INTEGER:
                return cell_int(sqlite3_column_int64(st, i));
        case SQLITE_FLOAT:
                return cell_real(sqlite3_column_double(st, i));
        case SQLITE_TEXT: {
                const unsigned char *t = sqlite3_column_text(st, i);
                return (struct output_cell){ .type = CELL_TEXT, .p = t,
                                             .len = (size_t)sqlite3_column_bytes(st, i) };
        }
        case SQLITE_BLOB: {
                const void *b = sqlite3_column_blob(st, i);
                return cell_blob(b, (size_t)sqlite3_column_bytes(st, i));
        }
        default:
                return cell_null();
        }
}

static int run_statement(sqlite3 *db, struct db_guard *g, const char *path, const char *text, sqlite3_stmt *st,
                         const struct sql_directives *d, struct output *o)
{
        int ncols = sqlite3_column_count(st);
        int r;

        if (ncols == 0) {
                /* ATTACH, BEGIN, a PRAGMA that sets: nothing to print */
                while ((r = sqlite3_step(st)) == SQLITE_ROW)
                        ;
                if (r != SQLITE_DONE)
                        return statement_error(db, g, path, text);
                return 0;
        }

        _cleanup_free_ const char **names = calloc((size_t)ncols, sizeof(*names));
        _cleanup_free_ struct output_cell *cells = calloc((size_t)ncols, sizeof(*cells));
        if (!names || !cells)
                return log_error_errno(ENOMEM, "cannot run query: %m");
        for (int i = 0; i < ncols; i++)
                names[i] = sqlite3_column_name(st, i);

        /* a set left out when empty is begun at its first row */
        r = d->omit_empty ? sqlite3_step(st) : SQLITE_ROW;
        if (r == SQLITE_DONE)
                return 0;
        if (r != SQLITE_ROW)
                return statement_error(db, g, path, text);
        char title[32];
        snprintf(title, sizeof(title), "result %zu", o->sets + 1);
        r = output_set_begin(o, d->section[0] ? d->section : title, d->vertical, names, (size_t)ncols);
        if (r < 0)
                return r;
        for (bool first = d->omit_empty; first || (r = sqlite3_step(st)) == SQLITE_ROW; first = false) {
                for (int i = 0; i < ncols; i++)
                        cells[i] = column_cell(st, i);
                int w = output_set_row(o, cells);
                if (w < 0)
                        return w;
        }
        if (r != SQLITE_DONE)
                return statement_error(db, g, path, text);
        return output_set_end(o);
}

int sql_script_run(sqlite3 *db, struct db_guard *g, const char *path, const char *sql, struct output *o,
                   const struct sql_param *params, size_t nparams)
{
        const char *p = sql;
        int r;

        struct shared_with w = shared_with_find(sql);
        p = w.rest;
        r = check_readonly(db, g, path, &w);
        if (r < 0)
                return r;

        r = output_doc_begin(o);
        if (r < 0)
                return r;
        while (*p && !(w.with && sql_script_empty(p))) {
                _cleanup_stmt_ sqlite3_stmt *st = NULL;
                const char *tail = NULL;

                if (prepare_next(db, &w, p, &st, &tail) != SQLITE_OK)
                        return statement_error(db, g, path, p);
                if (!st) /* only blanks and comments left */
                        break;
                if (!sqlite3_stmt_readonly(st))
                        return refuse_write(st);

                struct sql_directives d;
                sql_directives_parse(p, (size_t)(tail - p), &d);
                r = bind_params(db, st, params, nparams);
                if (r < 0)
                        return r;
                r = run_statement(db, g, path, p, st, &d, o);
                if (r < 0)
                        return r;
                if (!tail || tail == p)
                        break;
                p = tail;
        }
        return output_doc_end(o);
}
