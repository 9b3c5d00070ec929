/*
 * A command's options as one table, from which come both the parser and
 * the --help text, in the manner of git's parse-options and elfutils' argp:
 * a row per option says its names, its argument, what kind of value it
 * takes, where the value goes and one line of help, so the two cannot
 * drift apart.  getopt_long does the parsing underneath; the table builds
 * its long and short options.  -h, --help is added to every table.
 *
 * How to add an option:
 *  1. Add a row to the command's table, where it should show in --help:
 *     for instance, a choice between names stored as an enum,
 *        OPTION_ENUM(0, "method", &o.method, capture_method_names,
 *                    "how the process is held while it is copied"),
 *     where capture_method_names is the NULL-terminated list of the enum's
 *     names in the enum's order ({ "fork", "stop", "auto", NULL }).  The
 *     parser checks the value, suggests the nearest name for a typo and
 *     stores the index; --help lists the names.
 *  2. Set the field's default before options_parse runs; help text may
 *     show it as "{default}".
 *  3. Check what the row cannot say (two options that contradict each
 *     other, an option that needs another) after options_parse returns.
 *  4. Document it in docs/memsnap.md.
 *
 * A value given twice replaces the first, for every kind.
 */
#ifndef MEMSNAP_OPTIONS_H
#define MEMSNAP_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum option_kind {
        OPTION_KIND_FLAG,     /* no argument; sets the bool *dest */
        OPTION_KIND_SET,      /* no argument; sets the int *dest to value (--bytes 0, --human 1) */
        OPTION_KIND_STRING,   /* stores the argument itself in the const char * *dest */
        OPTION_KIND_UNSIGNED, /* a count, decimal or 0x-hex, from min to max, in an unsigned *dest */
        OPTION_KIND_SIZE,     /* bytes with an optional K/M/G/T suffix, from min to max */
        OPTION_KIND_ENUM,     /* one of names[]; stores its index in an unsigned or enum *dest */
        OPTION_KIND_CALLBACK, /* parse(row, argument) stores the value; for syntax of its own (--range) */
};

struct option_spec;

/* Parses arg into row->dest; logs why and returns -EINVAL when it cannot. */
typedef int (*option_parse_fn)(const struct option_spec *row, const char *arg);

struct option_spec {
        char short_name;       /* 'o' for -o; 0 when there is none */
        const char *long_name; /* "output" for --output; required */
        const char *arg_name;  /* "FILE" in --help; NULL for the kinds without argument */
        enum option_kind kind;
        void *dest;               /* where the value goes */
        size_t dest_size;         /* sizeof(*dest): 1, 2, 4 or 8 for the integer kinds */
        uint64_t min, max;        /* OPTION_KIND_UNSIGNED and _SIZE: the values allowed */
        int value;                /* OPTION_KIND_SET: what to store */
        const char *const *names; /* OPTION_KIND_ENUM: NULL-terminated, in the enum's order */
        option_parse_fn parse;    /* OPTION_KIND_CALLBACK */
        bool *given;              /* optional: set when the option appears */
        const char *help;         /* one paragraph, wrapped to the terminal's 80 columns;
                                     "{default}" shows *dest as it was before parsing */
        /* optional: lines printed under the help, indent spaces in */
        void (*help_more)(FILE *f, int indent);
};

/*
 * Rows.  s is the short name (0 for none), l the long one; var is the
 * variable itself (not its address); the trailing arguments are more
 * member initialisers: `.given = &frames_given`.
 */
#define OPTION_FLAG(s, l, var, help_text, ...)                                                 \
        {                                                                                      \
                .short_name = (s), .long_name = (l), .kind = OPTION_KIND_FLAG, .dest = &(var), \
                .dest_size = sizeof(var), .help = (help_text), __VA_ARGS__                     \
        }
#define OPTION_SET(s, l, var, v, help_text, ...)                                              \
        {                                                                                     \
                .short_name = (s), .long_name = (l), .kind = OPTION_KIND_SET, .dest = &(var), \
                .dest_size = sizeof(var), .value = (v), .help = (help_text), __VA_ARGS__      \
        }
#define OPTION_STRING(s, l, arg, var, help_text, ...)                                                               \
        {                                                                                                           \
                .short_name = (s), .long_name = (l), .arg_name = (arg), .kind = OPTION_KIND_STRING, .dest = &(var), \
                .dest_size = sizeof(var), .help = (help_text), __VA_ARGS__                                          \
        }
#define OPTION_UNSIGNED(s, l, arg, var, lo, hi, help_text, ...)                                                       \
        {                                                                                                             \
                .short_name = (s), .long_name = (l), .arg_name = (arg), .kind = OPTION_KIND_UNSIGNED, .dest = &(var), \
                .dest_size = sizeof(var), .min = (lo), .max = (hi), .help = (help_text), __VA_ARGS__                  \
        }
#define OPTION_SIZE(s, l, arg, var, lo, hi, help_text, ...)                                                       \
        {                                                                                                         \
                .short_name = (s), .long_name = (l), .arg_name = (arg), .kind = OPTION_KIND_SIZE, .dest = &(var), \
                .dest_size = sizeof(var), .min = (lo), .max = (hi), .help = (help_text), __VA_ARGS__              \
        }
#define OPTION_ENUM(s, l, var, name_list, help_text, ...)                                        \
        {                                                                                        \
                .short_name = (s), .long_name = (l), .kind = OPTION_KIND_ENUM, .dest = &(var),   \
                .dest_size = sizeof(var), .names = (name_list), .help = (help_text), __VA_ARGS__ \
        }
#define OPTION_CALLBACK(s, l, arg, var, fn, help_text, ...)                                                           \
        {                                                                                                             \
                .short_name = (s), .long_name = (l), .arg_name = (arg), .kind = OPTION_KIND_CALLBACK, .dest = &(var), \
                .dest_size = sizeof(var), .parse = (fn), .help = (help_text), __VA_ARGS__                             \
        }

/* A number #defined in a header, as text for a help line: "at most " OPTIONS_STR(N). */
#define OPTIONS_STR(x) OPTIONS_STR_(x)
#define OPTIONS_STR_(x) #x

/* The most rows a table may have (getopt's table is built on the stack). */
#define OPTIONS_MAX 48

/* A command's command line: its table and the text around it in --help. */
struct options_command {
        const char *name;     /* "capture": argv[0], in messages and the usage line */
        const char *usage;    /* what follows "usage: memsnap NAME "; a '\n' starts another line */
        const char *about;    /* paragraphs after the usage, each line ending in '\n' */
        /* optional: printed after about (report's list of reports) */
        void (*about_more)(FILE *f);
        const char *epilogue; /* paragraphs after the options: notes, examples, exit status */
        /* options stop at the first operand (getopt's "+"): what follows it is taken as written */
        bool operands_end_options;
        /* with it, what the operands are, for options_check_late: "the database", "it" */
        const char *operands_noun, *operands_pronoun;
        const struct option_spec *options;
        size_t noptions;
};

/*
 * Parses argv[1..argc) against c's table, storing every value as its row
 * says.  Returns the index of the first operand (at least 1, argc when
 * there is none) to go on; 0 after printing the help on stdout for
 * -h/--help (the command then exits 0); -EINVAL after logging one line
 * that names the option and why it was refused (an unknown option gets the
 * nearest names).  Resets getopt's state first, so it may run again.
 */
int options_parse(const struct options_command *c, int argc, char **argv);

/*
 * For a command whose operands end its options: a word of argv[from..argc)
 * that looks like an option ("-f", not "-", and no file of that name) is an
 * option put too late.  Logs "'-f' comes after the database: options go
 * before it (memsnap report [OPTIONS] DB ...)" and returns -EINVAL; 0 when
 * there is none.
 */
int options_check_late(const struct options_command *c, int argc, char **argv, int from);

/* Prints c's help: usage, about, the options aligned in columns, epilogue. */
void options_help(const struct options_command *c, FILE *f);

#endif
