/* Implementation of options.h. */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "suggest.h"
#include "units.h"

/* getopt_long's value for a row without a short name: past every char. */
#define LONG_ONLY_BASE 0x100
/* --help is no row of the table: every command has it, last. */
#define HELP_VAL 'h'
/* Help lines are wrapped to this width, as the help texts always were. */
#define HELP_WIDTH 79
/* An option column wider than this puts its help on the next line. */
#define HELP_COLUMN_MAX 28

static const struct option_spec help_row = {
        .short_name = HELP_VAL,
        .long_name = "help",
        .kind = OPTION_KIND_FLAG,
        .help = "show this help",
};

static bool takes_argument(const struct option_spec *row)
{
        return row->kind != OPTION_KIND_FLAG && row->kind != OPTION_KIND_SET;
}

static bool integer_kind(enum option_kind kind)
{
        return kind == OPTION_KIND_UNSIGNED || kind == OPTION_KIND_SIZE || kind == OPTION_KIND_ENUM;
}

/* A table that breaks getopt (a duplicate name, a field of the wrong size) is a bug: stop at once. */
static void check_table(const struct options_command *c)
{
        const char *why = NULL;

        if (c->noptions > OPTIONS_MAX) {
                log_error("option table of %s: %zu rows, more than OPTIONS_MAX", c->name, c->noptions);
                abort();
        }
        for (size_t i = 0; !why && i < c->noptions; i++) {
                const struct option_spec *row = &c->options[i];
                size_t size = row->dest_size;
                bool integer = integer_kind(row->kind);
                if (!row->long_name || !row->dest)
                        why = "a row without a long name or a destination";
                else if (row->short_name == HELP_VAL || strcmp(row->long_name, "help") == 0)
                        why = "-h and --help are every command's already";
                else if (integer && size != 1 && size != 2 && size != 4 && size != 8)
                        why = "an integer destination of an odd size";
                else if ((row->kind == OPTION_KIND_FLAG && size != sizeof(bool)) ||
                         (row->kind == OPTION_KIND_SET && size != sizeof(int)) ||
                         (row->kind == OPTION_KIND_STRING && size != sizeof(char *)))
                        why = "a destination of the wrong type";
                else if ((row->kind == OPTION_KIND_ENUM && !row->names) ||
                         (row->kind == OPTION_KIND_CALLBACK && !row->parse))
                        why = "an enum without names or a callback without a function";
                for (size_t j = 0; !why && j < i; j++)
                        if (strcmp(c->options[j].long_name, row->long_name) == 0 ||
                            (row->short_name && c->options[j].short_name == row->short_name))
                                why = "two rows with the same name";
                if (why)
                        log_error("option table of %s, --%s: %s", c->name, row->long_name ? row->long_name : "?", why);
        }
        if (why)
                abort();
}

static uint64_t width_max(size_t size)
{
        return size >= 8 ? UINT64_MAX : (UINT64_C(1) << (size * 8)) - 1;
}

static uint64_t load_unsigned(const void *dest, size_t size)
{
        switch (size) {
        case 1: return *(const uint8_t *)dest;
        case 2: return *(const uint16_t *)dest;
        case 4: return *(const uint32_t *)dest;
        default: return *(const uint64_t *)dest;
        }
}

static void store_unsigned(void *dest, size_t size, uint64_t v)
{
        switch (size) {
        case 1: *(uint8_t *)dest = (uint8_t)v; break;
        case 2: *(uint16_t *)dest = (uint16_t)v; break;
        case 4: *(uint32_t *)dest = (uint32_t)v; break;
        default: *(uint64_t *)dest = v; break;
        }
}

/* What each integer row holds before parsing: the defaults --help shows. */
static void defaults_read(const struct options_command *c, uint64_t *defaults)
{
        for (size_t i = 0; i < c->noptions; i++) {
                const struct option_spec *row = &c->options[i];
                defaults[i] = integer_kind(row->kind) ? load_unsigned(row->dest, row->dest_size) : 0;
        }
}

/* " from 1 to 16", " of at least 1", or "" when every value the destination holds is allowed; sizes in bytes. */
static void range_words(const struct option_spec *row, char *buf, size_t size)
{
        uint64_t hi = MIN(row->max, width_max(row->dest_size));

        /* a bound past 2^63 (a signed destination's, or none) is not one a person would type */
        if (hi < INT64_MAX)
                snprintf(buf, size, " from %" PRIu64 " to %" PRIu64, row->min, hi);
        else if (row->min > 0)
                snprintf(buf, size, " of at least %" PRIu64, row->min);
        else
                buf[0] = '\0';
}

static bool in_range(const struct option_spec *row, uint64_t v)
{
        return v >= row->min && v <= MIN(row->max, width_max(row->dest_size));
}

/* "text or json", "fork, stop or auto" */
static void names_words(const char *const *names, char *buf, size_t size)
{
        size_t used = 0, n = 0;

        while (names[n])
                n++;
        buf[0] = '\0';
        for (size_t i = 0; i < n && used < size; i++) {
                const char *sep = i == 0 ? "" : i + 1 == n ? " or " : ", ";
                int w = snprintf(buf + used, size - used, "%s%s", sep, names[i]);
                if (w < 0)
                        break;
                used += (size_t)w;
        }
}

static int parse_enum(const struct option_spec *row, const char *arg)
{
        char words[256];

        for (size_t i = 0; row->names[i]; i++)
                if (strcmp(row->names[i], arg) == 0) {
                        store_unsigned(row->dest, row->dest_size, i);
                        return 0;
                }
        if (suggest_nearest(arg, row->names, words, sizeof(words)) > 0)
                return log_error_errno(EINVAL, "invalid --%s '%s': did you mean %s?", row->long_name, arg, words);
        names_words(row->names, words, sizeof(words));
        return log_error_errno(EINVAL, "invalid --%s '%s': expected %s", row->long_name, arg, words);
}

static int take(const struct option_spec *row, const char *arg)
{
        char range[64];
        uint64_t v;
        int r;

        switch (row->kind) {
        case OPTION_KIND_FLAG: *(bool *)row->dest = true; break;
        case OPTION_KIND_SET: *(int *)row->dest = row->value; break;
        case OPTION_KIND_STRING: *(const char **)row->dest = arg; break;
        case OPTION_KIND_UNSIGNED:
                if (units_parse_u64(arg, &v) < 0 || !in_range(row, v)) {
                        range_words(row, range, sizeof(range));
                        return log_error_errno(EINVAL, "invalid --%s '%s': expected a count%s", row->long_name, arg,
                                               range);
                }
                store_unsigned(row->dest, row->dest_size, v);
                break;
        case OPTION_KIND_SIZE:
                r = units_parse_bytes(arg, &v);
                if (r == -EINVAL)
                        return log_error_errno(EINVAL, "invalid --%s '%s': expected a size such as 4096, 64K, 512M, 2G",
                                               row->long_name, arg);
                if (r < 0 || !in_range(row, v)) {
                        range_words(row, range, sizeof(range));
                        return log_error_errno(EINVAL, "invalid --%s '%s': expected a size%s", row->long_name, arg,
                                               range[0] ? range : " below 16 EiB");
                }
                store_unsigned(row->dest, row->dest_size, v);
                break;
        case OPTION_KIND_ENUM:
                if (parse_enum(row, arg) < 0)
                        return -EINVAL;
                break;
        case OPTION_KIND_CALLBACK:
                if (row->parse(row, arg) < 0)
                        return -EINVAL;
                break;
        }
        if (row->given)
                *row->given = true;
        return 0;
}

static const struct option_spec *row_of_val(const struct options_command *c, int val)
{
        if (val == HELP_VAL)
                return &help_row;
        if (val >= LONG_ONLY_BASE && (size_t)(val - LONG_ONLY_BASE) < c->noptions)
                return &c->options[val - LONG_ONLY_BASE];
        for (size_t i = 0; i < c->noptions && val > 0; i++)
                if (c->options[i].short_name == val)
                        return &c->options[i];
        return NULL;
}

/* The names an option word is compared with, "--output" and all, in buf. */
static void long_names(const struct options_command *c, char buf[][40], const char **names)
{
        size_t n = 0;

        for (size_t i = 0; i < c->noptions; i++) {
                snprintf(buf[n], sizeof(buf[n]), "--%s", c->options[i].long_name);
                names[n] = buf[n];
                n++;
        }
        names[n++] = "--help";
        names[n] = NULL;
}

/*
 * An unknown or ambiguous long option, word as typed ("--stak",
 * "--fo=json"): what it might have been.
 */
static int unknown_long(const struct options_command *c, const char *word)
{
        char buf[OPTIONS_MAX][40], near[256];
        const char *names[OPTIONS_MAX + 2];
        char typed[64];

        snprintf(typed, sizeof(typed), "%.*s", (int)strcspn(word, "="), word);
        long_names(c, buf, names);

        /* getopt takes any unique beginning of a name: one shared by several is ambiguous */
        size_t prefixed = 0, len = strlen(typed);
        for (size_t i = 0; names[i]; i++)
                prefixed += strncmp(names[i], typed, len) == 0;
        if (prefixed > 1 && suggest_nearest(typed, names, near, sizeof(near)) > 1)
                return log_error_errno(EINVAL, "ambiguous option '%s': %s", typed, near);
        if (suggest_nearest(typed, names, near, sizeof(near)) > 0)
                return log_error_errno(EINVAL, "unknown option '%s'; did you mean %s?", typed, near);
        return log_error_errno(EINVAL, "unknown option '%s'; see 'memsnap %s --help'", typed, c->name);
}

/*
 * An unknown short option.  "-stacks" is read as -s -t ..., so a word
 * with one dash that is a long name is named for what it is.
 */
static int unknown_short(const struct options_command *c, int opt, const char *word)
{
        if (word && word[0] == '-' && word[1] != '-' && strlen(word) > 2) {
                char buf[OPTIONS_MAX][40], near[256], dashed[64];
                const char *names[OPTIONS_MAX + 2];
                long_names(c, buf, names);
                snprintf(dashed, sizeof(dashed), "-%.*s", (int)strcspn(word, "="), word);
                if (suggest_nearest(dashed, names, near, sizeof(near)) > 0)
                        return log_error_errno(EINVAL, "unknown option '-%c' in '%s'; did you mean %s?", opt, word,
                                               near);
        }
        return log_error_errno(EINVAL, "unknown option '-%c'; see 'memsnap %s --help'", opt, c->name);
}

/* The argv word getopt was reading when it stopped on an error. */
static const char *current_word(int argc, char **argv, int opt)
{
        /* inside a cluster ("-qx") optind has not moved on yet; past its end it has */
        if (optind < argc && argv[optind][0] == '-' && opt > 0 && opt < LONG_ONLY_BASE && strchr(argv[optind] + 1, opt))
                return argv[optind];
        return optind > 0 && optind <= argc ? argv[optind - 1] : NULL;
}

static int parse_error(const struct options_command *c, int ret, int argc, char **argv)
{
        const char *word = current_word(argc, argv, optopt);
        const struct option_spec *row = row_of_val(c, optopt);

        if (ret == ':' && row) {
                char names[256];
                const char *what = row->arg_name;
                if (row->kind == OPTION_KIND_ENUM) {
                        names_words(row->names, names, sizeof(names));
                        what = names;
                }
                return log_error_errno(EINVAL, "option '--%s' needs a value: %s", row->long_name, what);
        }
        if (row) /* "--force=yes" */
                return log_error_errno(EINVAL, "option '--%s' takes no value", row->long_name);
        if (optopt > 0)
                return unknown_short(c, optopt, word);
        return unknown_long(c, word ? word : "?");
}

static void help_render(const struct options_command *c, FILE *f, const uint64_t *defaults);

int options_check_late(const struct options_command *c, int argc, char **argv, int from)
{
        for (int i = from; i < argc; i++) {
                if (argv[i][0] != '-' || argv[i][1] == '\0' || access(argv[i], F_OK) == 0)
                        continue;
                /* the usage's first line: report's second is its --sql form */
                int len = (int)strcspn(c->usage, "\n");
                return log_error_errno(EINVAL, "'%s' comes after %s: options go before %s (memsnap %s %.*s)", argv[i],
                                       c->operands_noun, c->operands_pronoun, c->name, len, c->usage);
        }
        return 0;
}

int options_parse(const struct options_command *c, int argc, char **argv)
{
        struct option longopts[OPTIONS_MAX + 2];
        char shortopts[2 * OPTIONS_MAX + 8];
        uint64_t defaults[OPTIONS_MAX];
        size_t s = 0;

        check_table(c);
        /* "+": stop at the first operand; ":": a missing value returns ':', not '?' */
        if (c->operands_end_options)
                shortopts[s++] = '+';
        shortopts[s++] = ':';
        for (size_t i = 0; i < c->noptions; i++) {
                const struct option_spec *row = &c->options[i];
                longopts[i] = (struct option){
                        .name = row->long_name,
                        .has_arg = takes_argument(row) ? required_argument : no_argument,
                        .val = row->short_name ? row->short_name : LONG_ONLY_BASE + (int)i,
                };
                if (row->short_name) {
                        shortopts[s++] = row->short_name;
                        if (takes_argument(row))
                                shortopts[s++] = ':';
                }
        }
        defaults_read(c, defaults);
        longopts[c->noptions] = (struct option){ .name = "help", .has_arg = no_argument, .val = HELP_VAL };
        longopts[c->noptions + 1] = (struct option){ 0 };
        shortopts[s++] = HELP_VAL;
        shortopts[s] = '\0';

        /* messages are ours: they name the option, why, and what was meant */
        opterr = 0;
        optind = 0;
        int ret;
        while ((ret = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
                if (ret == '?' || ret == ':')
                        return parse_error(c, ret, argc, argv);
                const struct option_spec *row = row_of_val(c, ret);
                if (row == &help_row) {
                        help_render(c, stdout, defaults);
                        return 0;
                }
                if (take(row, optarg) < 0)
                        return -EINVAL;
        }
        return optind;
}

/* "  -o, --output FILE", "      --stacks", "      --format text|json" */
static int left_column(const struct option_spec *row, char *buf, size_t size)
{
        char arg[128] = "";

        if (row->kind == OPTION_KIND_ENUM) {
                size_t used = 0;
                for (size_t i = 0; row->names[i] && used < sizeof(arg); i++) {
                        int w = snprintf(arg + used, sizeof(arg) - used, "%s%s", i ? "|" : "", row->names[i]);
                        if (w < 0)
                                break;
                        used += (size_t)w;
                }
        } else if (row->arg_name) {
                snprintf(arg, sizeof(arg), "%s", row->arg_name);
        }
        int n;
        if (row->short_name)
                n = snprintf(buf, size, "  -%c, --%s%s%s", row->short_name, row->long_name, arg[0] ? " " : "", arg);
        else
                n = snprintf(buf, size, "      --%s%s%s", row->long_name, arg[0] ? " " : "", arg);
        return n < 0 ? 0 : (int)MIN((size_t)n, size - 1);
}

/* The help text with "{default}" replaced by what the row held before parsing. */
static void expand_default(const struct option_spec *row, uint64_t dflt, char *out, size_t size)
{
        static const char mark[] = "{default}";
        const char *at = strstr(row->help, mark);

        if (!at) {
                snprintf(out, size, "%s", row->help);
                return;
        }
        char value[64];
        if (row->kind == OPTION_KIND_ENUM) {
                size_t n = 0;
                while (row->names[n])
                        n++;
                snprintf(value, sizeof(value), "%s", dflt < n ? row->names[dflt] : "?");
        } else if (row->kind == OPTION_KIND_STRING) {
                const char *s = *(const char *const *)row->dest;
                snprintf(value, sizeof(value), "%s", s ? s : "");
        } else {
                snprintf(value, sizeof(value), "%" PRIu64, dflt);
        }
        snprintf(out, size, "%.*s%s%s", (int)(at - row->help), row->help, value, at + strlen(mark));
}

/* Writes text from column col on, wrapped at HELP_WIDTH; a '\n' in it breaks the line. */
static void wrap(FILE *f, const char *text, int col, int at)
{
        const char *p = text;

        while (*p) {
                size_t word = strcspn(p, " \n");
                if (at > col && at + 1 + (int)word > HELP_WIDTH) {
                        fprintf(f, "\n%*s", col, "");
                        at = col;
                } else if (at > col) {
                        fputc(' ', f);
                        at++;
                }
                fwrite(p, 1, word, f);
                at += (int)word;
                p += word;
                if (*p == '\n') {
                        fprintf(f, "\n%*s", col, "");
                        at = col;
                        p++;
                        continue;
                }
                while (*p == ' ')
                        p++;
        }
        fputc('\n', f);
}

static void usage_lines(const struct options_command *c, FILE *f)
{
        const char *p = c->usage;
        bool first = true;

        do {
                size_t len = strcspn(p, "\n");
                fprintf(f, "%s memsnap %s %.*s\n", first ? "usage:" : "      ", c->name, (int)len, p);
                p += len;
                first = false;
        } while (*p++ == '\n' && *p);
}

static void help_render(const struct options_command *c, FILE *f, const uint64_t *defaults)
{
        char left[160], text[1024];
        int col = 0;

        usage_lines(c, f);
        if (c->about)
                fprintf(f, "\n%s", c->about);
        if (c->about_more)
                c->about_more(f);
        fputs("\noptions:\n", f);

        /* the help column: past the widest option that is not too wide, two spaces on */
        for (size_t i = 0; i <= c->noptions; i++) {
                int w = left_column(i < c->noptions ? &c->options[i] : &help_row, left, sizeof(left));
                if (w <= HELP_COLUMN_MAX && w > col)
                        col = w;
        }
        col += 2;
        for (size_t i = 0; i <= c->noptions; i++) {
                const struct option_spec *row = i < c->noptions ? &c->options[i] : &help_row;
                int w = left_column(row, left, sizeof(left));
                fputs(left, f);
                if (w + 2 > col) {
                        fprintf(f, "\n%*s", col, "");
                } else {
                        fprintf(f, "%*s", col - w, "");
                }
                expand_default(row, i < c->noptions ? defaults[i] : 0, text, sizeof(text));
                wrap(f, text, col, col);
                if (row->help_more)
                        row->help_more(f, col);
        }
        if (c->epilogue)
                fprintf(f, "\n%s", c->epilogue);
}

void options_help(const struct options_command *c, FILE *f)
{
        uint64_t defaults[OPTIONS_MAX];

        check_table(c);
        defaults_read(c, defaults);
        help_render(c, f, defaults);
}
