/*
 * Result tables as text: the output formats of `memsnap query`, `report`
 * and `diff`, in the manner of the SQLite shell's modes.  A format is data —
 * one row of the table in output_format.c says its separators, its quoting
 * and whether it is for people or for programs — and one printer walks that
 * row, so adding a format is adding a row.
 *
 * Formats for people (table, markdown, line) may show addresses in hex and
 * sizes in binary units, and the table format may colour its header; formats
 * for programs (csv, tsv, json) print every value exactly as SQLite holds it
 * unless asked otherwise.  A column's role (address, size in bytes, size in
 * KiB) comes from its name: see output_column_role().
 *
 * A document holds one or more result sets.  `keyed` documents (reports)
 * give each set a name: a title line ("# NAME" in csv and tsv, so a piped
 * report keeps its sections apart), an object member in JSON; and, in csv
 * and tsv, a header row by default.
 */
#ifndef MEMSNAP_OUTPUT_FORMAT_H
#define MEMSNAP_OUTPUT_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* How a text value is escaped, per format. */
enum output_quoting {
        QUOTE_TABLE,    /* control characters as \n, \t, \xNN so columns stay aligned */
        QUOTE_MARKDOWN, /* as table, plus '|' as '\|' */
        QUOTE_CSV,      /* RFC 4180: in double quotes when needed, quotes doubled */
        QUOTE_TSV,      /* \t \n \r \\ as backslash escapes, so a value never splits */
        QUOTE_JSON,     /* a JSON string */
};

/* How a column name is shown with each value. */
enum output_keys {
        KEYS_HEADER,    /* once, in a header row */
        KEYS_JSON,      /* "name": before every value */
        KEYS_LINE,      /* "name = " before every value, names right-aligned */
};

struct output_format {
        const char *name;
        const char *summary;       /* for --help */
        enum output_quoting quoting;
        enum output_keys keys;
        bool aligned;              /* rows are buffered and columns padded */
        bool human;                /* for people: hex addresses, units, colour */
        bool header_default;       /* KEYS_HEADER: print the header unless told otherwise */
        bool header_keyed;         /* KEYS_HEADER: ... and in keyed documents (reports), whose
                                      columns a reader cannot know beforehand */
        bool header_required;      /* KEYS_HEADER: the format is invalid without one */
        const char *title_begin;   /* keyed documents: before a set's name (NULL: names are JSON keys) */
        const char *title_end;     /* after it */
        const char *set_begin;     /* before a result set's rows */
        const char *set_end;       /* after them */
        const char *row_begin;
        const char *row_end;
        const char *row_sep;       /* between rows */
        const char *col_sep;       /* between values */
};

/* The formats, in the order --help lists them; NULL-name terminated. */
extern const struct output_format output_formats[];

/* The format called name, or NULL. */
const struct output_format *output_format_find(const char *name);

/* "table, csv, tsv, json, markdown, line" into buf (for messages). */
const char *output_format_names(char *buf, size_t size);

/* What a column holds, decided by its name (see output_column_role). */
enum output_role {
        ROLE_PLAIN,
        ROLE_ADDRESS, /* a virtual address: hex in formats for people */
        ROLE_BYTES,   /* a size in bytes: binary units when sizes are human */
        ROLE_KB,      /* a size in KiB (the kernel's unit in smaps/status) */
};

/*
 * Address columns: address, mem, start, end, pc, sp, top, next, prev,
 * fs_base, load_bias, and names ending in _address, _addr, _mem, _pc, _sp,
 * _start, _end.  Byte columns: size, usable, bytes, in_core, system_mem,
 * max_system_mem, size_class, and names ending in _bytes or _size (signed
 * deltas too).
 * KiB columns: names ending in _kb.  Case does not matter.
 */
enum output_role output_column_role(const char *name);

/*
 * Columns whose name ends in _delta hold differences: the role is that of
 * the name without the suffix ("bytes_delta" is bytes), and formats for
 * people print a '+' on positive values.
 */
bool output_column_signed(const char *name);

enum output_cell_type {
        CELL_NULL,
        CELL_INTEGER,
        CELL_REAL,
        CELL_TEXT,
        CELL_BLOB,
};

/* One value, borrowed: the printer copies what it keeps. */
struct output_cell {
        enum output_cell_type type;
        int64_t i;
        double d;
        const void *p;   /* text (not necessarily NUL-terminated) or blob bytes */
        size_t len;      /* of p, in bytes */
};

static inline struct output_cell cell_null(void) { return (struct output_cell){ .type = CELL_NULL }; }
static inline struct output_cell cell_int(int64_t v) { return (struct output_cell){ .type = CELL_INTEGER, .i = v }; }
static inline struct output_cell cell_real(double v) { return (struct output_cell){ .type = CELL_REAL, .d = v }; }
struct output_cell output_cell_text(const char *s); /* NULL gives a NULL cell */
static inline struct output_cell cell_blob(const void *p, size_t len)
{
        return (struct output_cell){ .type = CELL_BLOB, .p = p, .len = len };
}

struct output_options {
        const struct output_format *format;
        FILE *out;
        bool header;  /* KEYS_HEADER formats: print the column names */
        bool hex;     /* addresses as 0x… */
        bool human;   /* sizes in binary units (B, KiB, MiB …) */
        bool color;   /* ANSI bold for titles and headers */
};

/* One column of a result set. */
struct output_column {
        char *name;       /* as the result names it */
        char *label;      /* as shown: without "_kb" when sizes are human */
        enum output_role role;
        bool sign;        /* a difference: '+' on positive values in formats for people */
        size_t width;     /* aligned formats: widest rendered value, in characters */
        bool number;      /* aligned formats: some value is a number (right-align) ... */
        bool text;        /* ... unless some value is text or a blob */
};

/* The printer.  Zero-initialise, then output_init. */
struct output {
        struct output_options opt;
        bool keyed;               /* sets have names (reports) */
        size_t sets;              /* result sets begun so far */

        /* the current result set */
        struct output_column *cols;
        size_t ncols;
        bool vertical;            /* table format: one "name  value" line per column */
        char *title;
        size_t rows;              /* rows printed or buffered */
        char **buf;               /* aligned formats: rendered cells, row-major */
        size_t buf_rows;          /* rows held */
        size_t buf_cap;           /* cells allocated (rows times columns) */
};

void output_init(struct output *o, const struct output_options *opt, bool keyed);

/* Starts the document: a JSON object's "{" for keyed JSON documents. */
int output_doc_begin(struct output *o);

/*
 * Starts a result set with ncols columns named names[].  title names it in
 * keyed documents (required there, ignored otherwise); vertical asks the
 * table format to show each row as "name  value" lines (one-row sets).
 */
int output_set_begin(struct output *o, const char *title, bool vertical, const char *const *names, size_t ncols);
int output_set_row(struct output *o, const struct output_cell *cells);
int output_set_end(struct output *o);

int output_doc_end(struct output *o);

/* Frees what the printer holds (safe after an error, and twice). */
void output_free(struct output *o);

/*
 * Renders one value as format f shows it in a column of the given role, into
 * a malloc'd string (without the JSON key, separators or padding).  Exposed
 * for the unit tests and for diff's text, which builds its own lines.
 */
char *output_render(const struct output_options *opt, enum output_role role, bool sign,
                    const struct output_cell *c);

/* Writes s as a JSON string (null for NULL), as the json format quotes text. */
int output_json_string(FILE *f, const char *s);

/* Picks the default: table when out is a terminal, tsv otherwise. */
const struct output_format *output_format_default(FILE *out);

/* Colour only on a terminal, and never when NO_COLOR is set or TERM is dumb. */
bool output_color_wanted(FILE *out);

#endif
