/*
 * Implementation of output_format.h: the table of formats, the rendering of
 * one value, and the printer that lays result sets out — streamed for the
 * formats for programs, buffered and padded for the aligned ones.
 */
#include "output_format.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/text_escape.h"
#include "common/units.h"

const struct output_format output_formats[] = {
        {
                .name = "table", .summary = "aligned columns for people (the default on a terminal)",
                .quoting = QUOTE_TABLE, .keys = KEYS_HEADER, .aligned = true, .human = true,
                .header_default = true, .header_keyed = true,
                .title_begin = "", .title_end = "\n",
                .set_begin = "", .set_end = "", .row_begin = "", .row_end = "\n", .row_sep = "",
                .col_sep = "  ",
        },
        {
                .name = "csv", .summary = "comma-separated values, RFC 4180 quoting, header on",
                .quoting = QUOTE_CSV, .keys = KEYS_HEADER, .header_default = true, .header_keyed = true,
                .title_begin = "# ", .title_end = "\n",
                .set_begin = "", .set_end = "", .row_begin = "", .row_end = "\n", .row_sep = "",
                .col_sep = ",",
        },
        {
                .name = "tsv", .summary = "tab-separated values, backslash escapes, header off but in reports (the default in a pipe)",
                .quoting = QUOTE_TSV, .keys = KEYS_HEADER, .header_default = false, .header_keyed = true,
                .title_begin = "# ", .title_end = "\n",
                .set_begin = "", .set_end = "", .row_begin = "", .row_end = "\n", .row_sep = "",
                .col_sep = "\t",
        },
        {
                .name = "json", .summary = "an array of objects per result set, numbers as numbers",
                .quoting = QUOTE_JSON, .keys = KEYS_JSON,
                .set_begin = "[", .set_end = "]", .row_begin = "{", .row_end = "}", .row_sep = ",\n",
                .col_sep = ",",
        },
        {
                .name = "markdown", .summary = "a GitHub-flavoured Markdown table",
                .quoting = QUOTE_MARKDOWN, .keys = KEYS_HEADER, .aligned = true, .human = true,
                .header_default = true, .header_keyed = true, .header_required = true,
                .title_begin = "### ", .title_end = "\n\n",
                .set_begin = "", .set_end = "", .row_begin = "| ", .row_end = " |\n", .row_sep = "",
                .col_sep = " | ",
        },
        {
                .name = "line", .summary = "one \"name = value\" line per value, a blank line between rows",
                .quoting = QUOTE_TABLE, .keys = KEYS_LINE, .aligned = true, .human = true,
                .title_begin = "", .title_end = "\n",
                .set_begin = "", .set_end = "", .row_begin = "", .row_end = "\n", .row_sep = "\n",
                .col_sep = "\n",
        },
        { .name = NULL },
};

const struct output_format *output_format_find(const char *name)
{
        for (const struct output_format *f = output_formats; f->name; f++)
                if (strcmp(f->name, name) == 0)
                        return f;
        return NULL;
}

const char *output_format_names(char *buf, size_t size)
{
        size_t n = 0;

        buf[0] = '\0';
        for (const struct output_format *f = output_formats; f->name && n < size; f++) {
                int w = snprintf(buf + n, size - n, "%s%s", n ? ", " : "", f->name);
                if (w < 0)
                        break;
                n += (size_t)w;
        }
        return buf;
}

const struct output_format *output_format_default(FILE *out)
{
        return output_format_find(isatty(fileno(out)) ? "table" : "tsv");
}

bool output_color_wanted(FILE *out)
{
        const char *no_color = getenv("NO_COLOR");
        const char *term = getenv("TERM");

        /* no-color.org: set and not empty means no colour */
        if (no_color && *no_color)
                return false;
        if (term && strcmp(term, "dumb") == 0)
                return false;
        return isatty(fileno(out));
}

static bool name_ends_with(const char *name, const char *suffix)
{
        size_t n = strlen(name), s = strlen(suffix);
        return n > s && strcasecmp(name + n - s, suffix) == 0;
}

static bool name_is_one_of(const char *name, const char *const *list)
{
        for (; *list; list++)
                if (strcasecmp(name, *list) == 0)
                        return true;
        return false;
}

static enum output_role role_of(const char *name)
{
        static const char *const address_names[] = {
                "address", "mem", "start", "end", "pc", "sp", "top", "next", "prev",
                "fs_base", "load_bias", NULL,
        };
        static const char *const address_suffixes[] = {
                "_address", "_addr", "_mem", "_pc", "_sp", "_start", "_end", NULL,
        };
        static const char *const byte_names[] = {
                "size", "usable", "bytes", "in_core", "system_mem", "max_system_mem", "size_class", NULL,
        };
        static const char *const byte_suffixes[] = { "_bytes", "_size", NULL };

        if (name_ends_with(name, "_kb"))
                return ROLE_KB;
        if (name_is_one_of(name, address_names))
                return ROLE_ADDRESS;
        for (const char *const *s = address_suffixes; *s; s++)
                if (name_ends_with(name, *s))
                        return ROLE_ADDRESS;
        if (name_is_one_of(name, byte_names))
                return ROLE_BYTES;
        for (const char *const *s = byte_suffixes; *s; s++)
                if (name_ends_with(name, *s))
                        return ROLE_BYTES;
        return ROLE_PLAIN;
}

bool output_column_signed(const char *name)
{
        return name && name_ends_with(name, "_delta");
}

enum output_role output_column_role(const char *name)
{
        char base[128];

        if (!name)
                return ROLE_PLAIN;
        /* "bytes_delta" holds what "bytes" holds */
        if (output_column_signed(name) && strlen(name) < sizeof(base)) {
                snprintf(base, sizeof(base), "%.*s", (int)(strlen(name) - strlen("_delta")), name);
                return role_of(base);
        }
        return role_of(name);
}

struct output_cell output_cell_text(const char *s)
{
        if (!s)
                return cell_null();
        return (struct output_cell){ .type = CELL_TEXT, .p = s, .len = strlen(s) };
}

static void quote_json(struct strbuf *b, const char *s, size_t n)
{
        const unsigned char *u = (const unsigned char *)s;

        strbuf_addch(b, '"');
        for (size_t i = 0; i < n;) {
                unsigned char c = u[i];
                switch (c) {
                case '"': strbuf_addstr(b, "\\\""); i++; continue;
                case '\\': strbuf_addstr(b, "\\\\"); i++; continue;
                case '\n': strbuf_addstr(b, "\\n"); i++; continue;
                case '\r': strbuf_addstr(b, "\\r"); i++; continue;
                case '\t': strbuf_addstr(b, "\\t"); i++; continue;
                default: break;
                }
                if (c < 0x20 || c == 0x7f) {
                        strbuf_addf(b, "\\u%04x", c);
                        i++;
                        continue;
                }
                size_t len = text_escape_utf8_sequence(u + i, n - i);
                if (len == 0) {
                        /* JSON text is UTF-8: a byte that is not becomes U+FFFD */
                        strbuf_addstr(b, "\\ufffd");
                        i++;
                        continue;
                }
                if (c == 0xc2 && u[i + 1] < 0xa0) {
                        /* a C1 control (U+0080..U+009F): valid, but a terminal obeys it */
                        strbuf_addf(b, "\\u%04x", u[i + 1]);
                        i += 2;
                        continue;
                }
                strbuf_add(b, s + i, len);
                i += len;
        }
        strbuf_addch(b, '"');
}

int output_json_string(FILE *f, const char *s)
{
        _cleanup_strbuf_ struct strbuf b = STRBUF_INIT;

        if (!s)
                return fputs("null", f) == EOF ? -EIO : 0;
        quote_json(&b, s, strlen(s));
        if (strbuf_failed(&b))
                return -ENOMEM;
        return fwrite(b.buf, 1, b.len, f) == b.len ? 0 : -EIO;
}

/* "\xNN" for a byte a format has no escape of its own for. */
static void escape_byte(struct strbuf *b, unsigned char c)
{
        char x[5];
        text_escape_byte(x, c);
        strbuf_addstr(b, x);
}

/*
 * RFC 4180: a value holding a comma, a quote or a newline is quoted, quotes
 * doubled; a newline and a tab stay, as the RFC allows inside quotes.  CSV
 * has no escapes, so other control characters and bytes that are not UTF-8
 * are written "\xNN" (docs/memsnap.md): a reader sees them, a terminal does
 * not obey them.
 */
static void quote_csv(struct strbuf *b, const char *s, size_t n)
{
        bool needs = n == 0 ? false : (s[0] == ' ' || s[n - 1] == ' ');
        bool plain = text_escape_printable_span(s, n, ",\"") == n;
        for (size_t i = 0; i < n && !needs; i++)
                needs = s[i] == ',' || s[i] == '"' || s[i] == '\n';
        if (!needs && plain) {
                strbuf_add(b, s, n);
                return;
        }
        if (needs)
                strbuf_addch(b, '"');
        for (size_t i = 0; i < n;) {
                size_t span = text_escape_printable_span(s + i, n - i, "\"");
                strbuf_add(b, s + i, span);
                i += span;
                if (i == n)
                        break;
                unsigned char c = (unsigned char)s[i++];
                if (c == '"')
                        strbuf_addstr(b, "\"\"");
                else if (c == '\n' || c == '\t')
                        strbuf_addch(b, (char)c);
                else
                        escape_byte(b, c);
        }
        if (needs)
                strbuf_addch(b, '"');
}

/* Backslash escapes, so a value never splits a line or a field and reads back exactly. */
static void quote_tsv(struct strbuf *b, const char *s, size_t n)
{
        for (size_t i = 0; i < n;) {
                size_t span = text_escape_printable_span(s + i, n - i, "\\");
                strbuf_add(b, s + i, span);
                i += span;
                if (i == n)
                        break;
                unsigned char c = (unsigned char)s[i++];
                switch (c) {
                case '\t': strbuf_addstr(b, "\\t"); break;
                case '\n': strbuf_addstr(b, "\\n"); break;
                case '\r': strbuf_addstr(b, "\\r"); break;
                case '\\': strbuf_addstr(b, "\\\\"); break;
                default: escape_byte(b, c); break;
                }
        }
}

/* For people: the columns stay aligned and the terminal obeys nothing in the text. */
static void quote_table(struct strbuf *b, const char *s, size_t n, bool markdown)
{
        for (size_t i = 0; i < n;) {
                size_t span = text_escape_printable_span(s + i, n - i, markdown ? "|" : NULL);
                strbuf_add(b, s + i, span);
                i += span;
                if (i == n)
                        break;
                unsigned char c = (unsigned char)s[i++];
                switch (c) {
                case '\n': strbuf_addstr(b, "\\n"); break;
                case '\t': strbuf_addstr(b, "\\t"); break;
                case '\r': strbuf_addstr(b, "\\r"); break;
                case '|': strbuf_addstr(b, "\\|"); break;
                default: escape_byte(b, c); break;
                }
        }
}

static void quote_text(struct strbuf *b, enum output_quoting q, const char *s, size_t n)
{
        switch (q) {
        case QUOTE_TABLE: quote_table(b, s, n, false); break;
        case QUOTE_MARKDOWN: quote_table(b, s, n, true); break;
        case QUOTE_CSV: quote_csv(b, s, n); break;
        case QUOTE_TSV: quote_tsv(b, s, n); break;
        case QUOTE_JSON: quote_json(b, s, n); break;
        }
}

/* The shortest "%.Ng" that reads back as the same double, so machine output is exact. */
static void format_real(struct strbuf *b, double d)
{
        char tmp[40];

        for (int prec = 15; prec <= 17; prec++) {
                snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
                if (strtod(tmp, NULL) == d)
                        break;
        }
        strbuf_addstr(b, tmp);
}

static void format_size(struct strbuf *b, int64_t v, uint64_t scale)
{
        char tmp[UNITS_BUF_MAX];
        uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v;

        if (mag > UINT64_MAX / scale) {
                strbuf_addf(b, "%" PRId64 " KiB", v);
                return;
        }
        if (v < 0)
                strbuf_addch(b, '-');
        strbuf_addstr(b, units_format_bytes(tmp, mag * scale));
}

static void render_into(struct strbuf *b, const struct output_options *opt, enum output_role role, bool sign,
                        const struct output_cell *c)
{
        enum output_quoting q = opt->format->quoting;

        if (sign && opt->format->human && ((c->type == CELL_INTEGER && c->i > 0) || (c->type == CELL_REAL && c->d > 0)))
                strbuf_addch(b, '+');

        switch (c->type) {
        case CELL_NULL:
                if (q == QUOTE_JSON)
                        strbuf_addstr(b, "null");
                return;
        case CELL_INTEGER:
                if (role == ROLE_ADDRESS && opt->hex) {
                        /* addresses are unsigned: the vsyscall page reads back as negative */
                        if (q == QUOTE_JSON)
                                strbuf_addf(b, "\"0x%" PRIx64 "\"", (uint64_t)c->i);
                        else
                                strbuf_addf(b, "0x%" PRIx64, (uint64_t)c->i);
                } else if (role == ROLE_BYTES && opt->human)
                        format_size(b, c->i, 1);
                else if (role == ROLE_KB && opt->human)
                        format_size(b, c->i, 1024);
                else
                        strbuf_addf(b, "%" PRId64, c->i);
                return;
        case CELL_REAL:
                if (!isfinite(c->d) && q == QUOTE_JSON)
                        strbuf_addstr(b, "null");
                else if (opt->format->human)
                        strbuf_addf(b, "%.2f", c->d);
                else
                        format_real(b, c->d);
                return;
        case CELL_TEXT:
                quote_text(b, q, c->p ? c->p : "", c->p ? c->len : 0);
                return;
        case CELL_BLOB: {
                /* blobs as lowercase hex: exact, and safe in every format */
                const unsigned char *u = c->p;
                if (q == QUOTE_JSON)
                        strbuf_addch(b, '"');
                for (size_t i = 0; i < c->len; i++)
                        strbuf_addf(b, "%02x", u[i]);
                if (q == QUOTE_JSON)
                        strbuf_addch(b, '"');
                return;
        }
        }
}

char *output_render(const struct output_options *opt, enum output_role role, bool sign,
                    const struct output_cell *c)
{
        _cleanup_strbuf_ struct strbuf b = STRBUF_INIT;

        render_into(&b, opt, role, sign, c);
        return strbuf_take(&b, NULL);
}

/* Characters on screen: UTF-8 continuation bytes take no column. */
static size_t display_width(const char *s)
{
        size_t w = 0;
        for (const unsigned char *u = (const unsigned char *)s; *u; u++)
                if ((*u & 0xc0) != 0x80)
                        w++;
        return w;
}

void output_init(struct output *o, const struct output_options *opt, bool keyed)
{
        *o = (struct output){ .opt = *opt, .keyed = keyed };
        if (!o->opt.out)
                o->opt.out = stdout;
}

static int out_puts(struct output *o, const char *s)
{
        if (*s && fputs(s, o->opt.out) == EOF)
                return -EIO;
        return 0;
}

static int out_pad(struct output *o, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (putc(' ', o->opt.out) == EOF)
                        return -EIO;
        return 0;
}

static void out_bold(struct output *o, bool on)
{
        if (o->opt.color)
                fputs(on ? "\033[1m" : "\033[0m", o->opt.out);
}

int output_doc_begin(struct output *o)
{
        if (o->keyed && o->opt.format->keys == KEYS_JSON)
                return out_puts(o, "{");
        return 0;
}

int output_doc_end(struct output *o)
{
        if (o->keyed && o->opt.format->keys == KEYS_JSON)
                return out_puts(o, o->sets ? "}\n" : "{}\n");
        return 0;
}

static void set_free(struct output *o)
{
        for (size_t i = 0; i < o->ncols; i++) {
                free(o->cols[i].name);
                free(o->cols[i].label);
        }
        free(o->cols);
        o->cols = NULL;
        if (o->buf) {
                for (size_t i = 0; i < o->buf_rows * o->ncols; i++)
                        free(o->buf[i]);
                free(o->buf);
        }
        o->buf = NULL;
        o->buf_rows = o->buf_cap = 0;
        o->ncols = 0;
        free(o->title);
        o->title = NULL;
}

void output_free(struct output *o) { set_free(o); }

/* Renders a column name (a header cell, a JSON key) with the format's quoting. */
static char *render_name(const struct output *o, const char *name)
{
        struct output_cell c = output_cell_text(name);
        return output_render(&o->opt, ROLE_PLAIN, false, &c);
}

/* "virt_kb" shows as "virt", "rss_kb_delta" as "rss_delta", once values read "4.00 MiB". */
static char *column_label(const char *name, enum output_role role, bool human)
{
        size_t n = strlen(name);
        const char *kb = NULL;

        if (role == ROLE_KB && human) {
                if (name_ends_with(name, "_kb"))
                        kb = name + n - 3;
                else if (name_ends_with(name, "_kb_delta"))
                        kb = name + n - 9;
        }
        if (!kb)
                return strdup(name);
        char *l;
        if (asprintf(&l, "%.*s%s", (int)(kb - name), name, kb + 3) < 0)
                return NULL;
        return l;
}

int output_set_begin(struct output *o, const char *title, bool vertical, const char *const *names, size_t ncols)
{
        const struct output_format *f = o->opt.format;
        int r;

        set_free(o);
        o->cols = calloc(ncols ? ncols : 1, sizeof(*o->cols));
        if (!o->cols)
                return log_error_errno(ENOMEM, "cannot print results: %m");
        o->ncols = ncols;
        o->rows = 0;
        o->vertical = vertical;
        o->title = title ? strdup(title) : NULL;
        for (size_t i = 0; i < ncols; i++) {
                struct output_column *col = &o->cols[i];
                const char *name = names[i] ? names[i] : "";
                col->role = output_column_role(name);
                col->sign = output_column_signed(name);
                col->name = strdup(name);
                col->label = column_label(name, col->role, o->opt.human);
                if (!col->name || !col->label)
                        return log_error_errno(ENOMEM, "cannot print results: %m");
                if (f->keys == KEYS_HEADER && o->opt.header && !vertical) {
                        _cleanup_free_ char *h = render_name(o, col->label);
                        col->width = h ? display_width(h) : 0;
                }
        }

        /* What separates this set from the one before, and names it. */
        if (o->sets > 0) {
                if (f->keys == KEYS_JSON)
                        r = out_puts(o, o->keyed ? ",\n" : "");
                else
                        r = out_puts(o, "\n");
                if (r < 0)
                        return r;
        }
        o->sets++;
        if (o->keyed && title) {
                if (f->keys == KEYS_JSON) {
                        _cleanup_free_ char *k = render_name(o, title);
                        if (!k || out_puts(o, k) < 0 || out_puts(o, ": ") < 0)
                                return -EIO;
                } else if (f->title_begin) {
                        _cleanup_free_ char *shown = text_escape_display(title);
                        if (!shown)
                                return -ENOMEM;
                        out_puts(o, f->title_begin);
                        out_bold(o, true);
                        out_puts(o, shown);
                        out_bold(o, false);
                        if (out_puts(o, f->title_end) < 0)
                                return -EIO;
                }
        }
        if (f->aligned)
                return 0;

        r = out_puts(o, f->set_begin);
        if (r < 0)
                return r;
        if (f->keys == KEYS_HEADER && o->opt.header) {
                for (size_t i = 0; i < ncols; i++) {
                        _cleanup_free_ char *h = render_name(o, o->cols[i].label);
                        if (!h || (i > 0 && out_puts(o, f->col_sep) < 0) || out_puts(o, h) < 0)
                                return -EIO;
                }
                if (out_puts(o, f->row_end) < 0)
                        return -EIO;
        }
        return 0;
}

static int stream_row(struct output *o, const struct output_cell *cells)
{
        const struct output_format *f = o->opt.format;
        _cleanup_strbuf_ struct strbuf b = STRBUF_INIT;

        if (o->rows > 0)
                strbuf_addstr(&b, f->row_sep);
        strbuf_addstr(&b, f->row_begin);
        for (size_t i = 0; i < o->ncols; i++) {
                if (i > 0)
                        strbuf_addstr(&b, f->col_sep);
                if (f->keys == KEYS_JSON) {
                        quote_json(&b, o->cols[i].label, strlen(o->cols[i].label));
                        strbuf_addch(&b, ':');
                }
                render_into(&b, &o->opt, o->cols[i].role, o->cols[i].sign, &cells[i]);
        }
        strbuf_addstr(&b, f->row_end);
        if (strbuf_failed(&b))
                return log_error_errno(ENOMEM, "cannot print results: %m");
        size_t w = b.len ? fwrite(b.buf, 1, b.len, o->opt.out) : 0;
        return w == b.len ? 0 : -EIO;
}

static int buffer_row(struct output *o, const struct output_cell *cells)
{
        size_t width = o->ncols ? o->ncols : 1;
        if (o->buf_rows + 1 > SIZE_MAX / width || ARRAY_RESERVE(o->buf, o->buf_cap, (o->buf_rows + 1) * width) < 0)
                return log_error_errno(ENOMEM, "cannot print results: %m");
        char **row = o->buf + o->buf_rows * o->ncols;
        for (size_t i = 0; i < o->ncols; i++)
                row[i] = NULL;
        o->buf_rows++;
        for (size_t i = 0; i < o->ncols; i++) {
                row[i] = output_render(&o->opt, o->cols[i].role, o->cols[i].sign, &cells[i]);
                if (!row[i])
                        return log_error_errno(ENOMEM, "cannot print results: %m");
                size_t w = display_width(row[i]);
                if (w > o->cols[i].width)
                        o->cols[i].width = w;
                if (cells[i].type == CELL_TEXT || cells[i].type == CELL_BLOB)
                        o->cols[i].text = true;
                else if (cells[i].type != CELL_NULL)
                        o->cols[i].number = true;
        }
        return 0;
}

int output_set_row(struct output *o, const struct output_cell *cells)
{
        int r = o->opt.format->aligned ? buffer_row(o, cells) : stream_row(o, cells);
        if (r == 0)
                o->rows++;
        return r;
}

static bool col_numeric(const struct output_column *c) { return c->number && !c->text; }

/* One padded cell; the last cell of a left-aligned table row gets no trailing blanks. */
static int print_cell(struct output *o, size_t col, const char *text, bool last)
{
        const struct output_format *f = o->opt.format;
        size_t w = display_width(text), pad = o->cols[col].width > w ? o->cols[col].width - w : 0;
        bool right = col_numeric(&o->cols[col]);

        if (right && out_pad(o, pad) < 0)
                return -EIO;
        if (out_puts(o, text) < 0)
                return -EIO;
        if (!right && !(last && f->quoting == QUOTE_TABLE) && out_pad(o, pad) < 0)
                return -EIO;
        return 0;
}

static int flush_table(struct output *o)
{
        const struct output_format *f = o->opt.format;

        /* Markdown needs at least three dashes in a rule cell */
        if (f->quoting == QUOTE_MARKDOWN)
                for (size_t i = 0; i < o->ncols; i++)
                        o->cols[i].width = MAX(o->cols[i].width, (size_t)3);

        /* an empty section of a report says so in one line */
        if (o->buf_rows == 0 && o->keyed && f->quoting == QUOTE_TABLE)
                return out_puts(o, "(none)\n");
        if (o->opt.header) {
                out_puts(o, f->row_begin);
                out_bold(o, true);
                for (size_t i = 0; i < o->ncols; i++) {
                        _cleanup_free_ char *h = render_name(o, o->cols[i].label);
                        if (!h)
                                return -ENOMEM;
                        if (i > 0)
                                out_puts(o, f->col_sep);
                        /* headers align with their values */
                        if (print_cell(o, i, h, i + 1 == o->ncols) < 0)
                                return -EIO;
                }
                out_bold(o, false);
                out_puts(o, f->row_end);
                /* the rule under the header: dashes, with Markdown's ':' for right alignment */
                out_puts(o, f->row_begin);
                for (size_t i = 0; i < o->ncols; i++) {
                        size_t w = MAX(o->cols[i].width, (size_t)1);
                        if (i > 0)
                                out_puts(o, f->col_sep);
                        for (size_t k = 0; k < w; k++)
                                putc(k + 1 == w && col_numeric(&o->cols[i]) && f->quoting == QUOTE_MARKDOWN ? ':' : '-',
                                     o->opt.out);
                }
                out_puts(o, f->row_end);
        }
        for (size_t r = 0; r < o->buf_rows; r++) {
                char **row = o->buf + r * o->ncols;
                out_puts(o, f->row_begin);
                for (size_t i = 0; i < o->ncols; i++) {
                        if (i > 0)
                                out_puts(o, f->col_sep);
                        if (print_cell(o, i, row[i], i + 1 == o->ncols) < 0)
                                return -EIO;
                }
                out_puts(o, f->row_end);
        }
        return ferror(o->opt.out) ? -EIO : 0;
}

/* Line format, and vertical sets in the table format: one value per line. */
static int flush_lines(struct output *o)
{
        const struct output_format *f = o->opt.format;
        size_t namew = 0;
        bool line = f->keys == KEYS_LINE;

        /* names come from the SQL, a view's among them: quoted as values are */
        _cleanup_free_ char **names = calloc(o->ncols + 1, sizeof(*names));
        if (!names)
                return -ENOMEM;
        for (size_t i = 0; i < o->ncols; i++) {
                names[i] = render_name(o, o->cols[i].label);
                if (!names[i]) {
                        for (size_t k = 0; k < i; k++)
                                free(names[k]);
                        return -ENOMEM;
                }
                namew = MAX(namew, display_width(names[i]));
        }
        for (size_t r = 0; r < o->buf_rows; r++) {
                char **row = o->buf + r * o->ncols;
                if (r > 0)
                        out_puts(o, "\n");
                for (size_t i = 0; i < o->ncols; i++) {
                        size_t pad = namew - display_width(names[i]);
                        if (line) {
                                /* as the SQLite shell's line mode: names right-aligned */
                                out_pad(o, pad);
                                fprintf(o->opt.out, "%s = %s\n", names[i], row[i]);
                        } else {
                                out_bold(o, true);
                                fputs(names[i], o->opt.out);
                                out_bold(o, false);
                                out_pad(o, pad + 2);
                                fprintf(o->opt.out, "%s\n", row[i]);
                        }
                }
        }
        if (o->buf_rows == 0 && o->keyed && f->human)
                out_puts(o, "(none)\n");
        for (size_t i = 0; i < o->ncols; i++)
                free(names[i]);
        return ferror(o->opt.out) ? -EIO : 0;
}

int output_set_end(struct output *o)
{
        const struct output_format *f = o->opt.format;
        int r;

        if (f->aligned) {
                if (f->keys == KEYS_LINE || (o->vertical && f->quoting == QUOTE_TABLE))
                        r = flush_lines(o);
                else
                        r = flush_table(o);
        } else {
                r = out_puts(o, f->set_end);
                if (r == 0 && f->keys == KEYS_JSON && !o->keyed)
                        r = out_puts(o, "\n");
        }
        set_free(o);
        if (r == 0 && ferror(o->opt.out))
                r = -EIO;
        return r;
}
