/*
 * Unit tests for common/options.c: every kind of row parsed, where options
 * stop, the one-line errors (checked on what reaches stderr), and the help
 * text the same table prints.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/options.h"

enum colour { COLOUR_RED, COLOUR_GREEN, COLOUR_BLUE };
static const char *const colours[] = { "red", "green", "blue", NULL };

struct range {
        unsigned lo, hi;
};

/* "LO-HI", decimal, LO < HI */
static int parse_range(const struct option_spec *row, const char *arg)
{
        struct range *r = row->dest;
        char *end;
        unsigned long lo = strtoul(arg, &end, 10);

        if (*end != '-')
                return log_error_errno(EINVAL, "invalid --range '%s': expected LO-HI, LO < HI", arg);
        unsigned long hi = strtoul(end + 1, &end, 10);
        if (*end || lo >= hi)
                return log_error_errno(EINVAL, "invalid --range '%s': expected LO-HI, LO < HI", arg);
        r->lo = (unsigned)lo;
        r->hi = (unsigned)hi;
        return 0;
}

static void more_lines(FILE *f, int indent)
{
        fprintf(f, "%*sone more line\n", indent, "");
}

/* Everything a table can hold, with the defaults a command would set. */
struct fixture {
        bool force, force_given;
        int level;
        const char *output;
        unsigned frames;
        uint8_t small;
        uint64_t limit;
        int64_t signed_count;
        enum colour colour;
        struct range range;
        bool range_given;
        struct option_spec rows[10];
        struct options_command cmd;
};

static void fixture_init(struct fixture *x, bool operands_end_options)
{
        *x = (struct fixture){ .level = -1, .frames = 256, .colour = COLOUR_GREEN, .signed_count = -1 };
        const struct option_spec rows[] = {
                OPTION_STRING('o', "output", "FILE", x->output, "write to FILE"),
                OPTION_FLAG('f', "force", x->force, "replace FILE", .given = &x->force_given),
                OPTION_UNSIGNED('n', "frames", "N", x->frames, 0, 1000, "at most N frames (default {default})"),
                OPTION_UNSIGNED(0, "small", "N", x->small, 1, 1000, "a byte-sized count"),
                OPTION_SIZE(0, "limit", "SIZE", x->limit, 1, UINT64_MAX, "at most SIZE bytes"),
                OPTION_UNSIGNED(0, "count", "N", x->signed_count, 0, INT64_MAX, "a signed count",
                                .help_more = more_lines),
                OPTION_ENUM('c', "colour", x->colour, colours, "the colour (default {default})"),
                OPTION_CALLBACK(0, "range", "LO-HI", x->range, parse_range, "a range of our own syntax",
                                .given = &x->range_given),
                OPTION_SET('q', "quiet", x->level, 0, "quiet"),
                OPTION_SET('v', "verbose", x->level, 3,
                           "a help text long enough to be wrapped at the seventy-ninth column, where the "
                           "words go on at the help column of the line below"),
        };
        memcpy(x->rows, rows, sizeof(rows));
        x->cmd = (struct options_command){
                .name = "frob",
                .usage = "[OPTIONS] THING\n--other THING",
                .about = "Frobnicate a thing.\n",
                .epilogue = "Exit status: 0 or 2.\n",
                .operands_end_options = operands_end_options,
                .options = x->rows,
                .noptions = ELEMENTSOF(rows),
        };
}

/* Runs options_parse on the words given, argv[0] "frob"; *err gets what it wrote to stderr. */
static int parse(struct fixture *x, char **err, ...)
{
        char *argv[32] = { (char *)"frob" };
        int argc = 1;
        va_list ap;

        va_start(ap, err);
        for (const char *w; (w = va_arg(ap, const char *));)
                argv[argc++] = (char *)w;
        va_end(ap);

        FILE *tmp = tmpfile();
        assert_non_null(tmp);
        fflush(stderr);
        int saved = dup(STDERR_FILENO);
        dup2(fileno(tmp), STDERR_FILENO);
        int r = options_parse(&x->cmd, argc, argv);
        dup2(saved, STDERR_FILENO);
        close(saved);

        off_t len = lseek(fileno(tmp), 0, SEEK_END);
        *err = calloc(1, (size_t)len + 1);
        assert_non_null(*err);
        assert_int_equal(pread(fileno(tmp), *err, (size_t)len, 0), len);
        fclose(tmp);
        /* one line, or nothing */
        if (len > 0) {
                assert_int_equal((*err)[len - 1], '\n');
                (*err)[len - 1] = '\0';
                assert_null(strchr(*err, '\n'));
        }
        return r;
}

static void test_every_kind(void **state)
{
        (void)state;
        struct fixture x;
        _cleanup_free_ char *err = NULL;

        fixture_init(&x, false);
        int first = parse(&x, &err, "-o", "a.out", "-f", "--frames=12", "--small", "200", "--limit", "64K", "--count",
                          "0x10", "-c", "blue", "--range", "3-9", "-q", "-v", "thing", NULL);
        assert_string_equal(err, "");
        assert_int_equal(first, 17);
        assert_string_equal(x.output, "a.out");
        assert_true(x.force);
        assert_true(x.force_given);
        assert_int_equal(x.frames, 12);
        assert_int_equal(x.small, 200);
        assert_int_equal(x.limit, 64 * 1024);
        assert_int_equal(x.signed_count, 16);
        assert_int_equal(x.colour, COLOUR_BLUE);
        assert_int_equal(x.range.lo, 3);
        assert_int_equal(x.range.hi, 9);
        assert_true(x.range_given);
        assert_int_equal(x.level, 3); /* the last of -q and -v */
}

static void test_defaults_stay(void **state)
{
        (void)state;
        struct fixture x;
        _cleanup_free_ char *err = NULL;

        fixture_init(&x, false);
        assert_int_equal(parse(&x, &err, "thing", NULL), 1);
        assert_false(x.force);
        assert_false(x.force_given);
        assert_false(x.range_given);
        assert_int_equal(x.frames, 256);
        assert_int_equal(x.colour, COLOUR_GREEN);
        assert_int_equal(x.level, -1);
        assert_null(x.output);
}

static void test_where_options_end(void **state)
{
        (void)state;
        struct fixture x;
        _cleanup_free_ char *err = NULL, *err2 = NULL, *err3 = NULL;

        /* without "+", options after the operand are options (argv is permuted) */
        fixture_init(&x, false);
        assert_int_equal(parse(&x, &err, "thing", "-f", NULL), 2);
        assert_true(x.force);

        /* with it, the first operand ends them: "-f" is an operand, as SQL's "--" comments are */
        fixture_init(&x, true);
        assert_int_equal(parse(&x, &err2, "thing", "-f", "--frames", NULL), 1);
        assert_false(x.force);
        assert_int_equal(x.frames, 256);

        /* "--" ends them everywhere */
        fixture_init(&x, false);
        assert_int_equal(parse(&x, &err3, "--", "-f", NULL), 2);
        assert_false(x.force);
}

static void test_parse_twice(void **state)
{
        (void)state;
        struct fixture x;
        _cleanup_free_ char *err = NULL, *err2 = NULL;

        /* getopt's state is reset: a second run starts from argv[1] again */
        fixture_init(&x, false);
        assert_int_equal(parse(&x, &err, "-qf", "a", NULL), 2);
        fixture_init(&x, false);
        assert_int_equal(parse(&x, &err2, "-f", "b", NULL), 2);
        assert_true(x.force);
        assert_int_equal(x.level, -1);
}

/* options_parse fails with -EINVAL and exactly this line on stderr. */
#define assert_refused(words, expected)                          \
        do {                                                     \
                struct fixture x_;                               \
                _cleanup_free_ char *err_ = NULL;                \
                fixture_init(&x_, false);                        \
                assert_int_equal(parse words, -EINVAL);          \
                assert_string_equal(err_, "memsnap: " expected); \
        } while (0)

static void test_errors(void **state)
{
        (void)state;
        assert_refused((&x_, &err_, "--frames", "1001", NULL),
                       "invalid --frames '1001': expected a count from 0 to 1000");
        assert_refused((&x_, &err_, "-n", "x", NULL), "invalid --frames 'x': expected a count from 0 to 1000");
        assert_refused((&x_, &err_, "-n", "-1", NULL), "invalid --frames '-1': expected a count from 0 to 1000");
        /* the destination's width bounds it too: a uint8_t holds no 1000 */
        assert_refused((&x_, &err_, "--small", "256", NULL), "invalid --small '256': expected a count from 1 to 255");
        assert_refused((&x_, &err_, "--small", "0", NULL), "invalid --small '0': expected a count from 1 to 255");
        assert_refused((&x_, &err_, "--count", "x", NULL), "invalid --count 'x': expected a count");
        assert_refused((&x_, &err_, "--limit", "12Q", NULL),
                       "invalid --limit '12Q': expected a size such as 4096, 64K, 512M, 2G");
        assert_refused((&x_, &err_, "--limit", "0", NULL), "invalid --limit '0': expected a size of at least 1");
        assert_refused((&x_, &err_, "--limit", "20000000T", NULL),
                       "invalid --limit '20000000T': expected a size of at least 1");
        assert_refused((&x_, &err_, "--colour", "bleu", NULL), "invalid --colour 'bleu': did you mean 'blue'?");
        assert_refused((&x_, &err_, "-c", "pink", NULL), "invalid --colour 'pink': expected red, green or blue");
        assert_refused((&x_, &err_, "--range", "9-3", NULL), "invalid --range '9-3': expected LO-HI, LO < HI");
        assert_refused((&x_, &err_, "--output", NULL), "option '--output' needs a value: FILE");
        assert_refused((&x_, &err_, "-o", NULL), "option '--output' needs a value: FILE");
        assert_refused((&x_, &err_, "--colour", NULL), "option '--colour' needs a value: red, green or blue");
        assert_refused((&x_, &err_, "--force=yes", NULL), "option '--force' takes no value");
        assert_refused((&x_, &err_, "--frams", NULL), "unknown option '--frams'; did you mean '--frames'?");
        assert_refused((&x_, &err_, "--colur=red", NULL), "unknown option '--colur'; did you mean '--colour'?");
        assert_refused((&x_, &err_, "--zzzzzz", NULL), "unknown option '--zzzzzz'; see 'memsnap frob --help'");
        assert_refused((&x_, &err_, "-x", NULL), "unknown option '-x'; see 'memsnap frob --help'");
        assert_refused((&x_, &err_, "-fx", NULL), "unknown option '-x'; see 'memsnap frob --help'");
        /* "-verbose" is -v -e ...: named for what it is */
        assert_refused((&x_, &err_, "-verbose", NULL), "unknown option '-e' in '-verbose'; did you mean '--verbose'?");
        /* getopt takes a unique beginning of a name; a shared one is ambiguous */
        assert_refused((&x_, &err_, "--f", NULL), "ambiguous option '--f': '--force' or '--frames'");
}

static void test_unique_prefix(void **state)
{
        (void)state;
        struct fixture x;
        _cleanup_free_ char *err = NULL;

        fixture_init(&x, false);
        assert_int_equal(parse(&x, &err, "--fo", "--verb", NULL), 3);
        assert_true(x.force);
        assert_int_equal(x.level, 3);
}

static const char expected_help[] = "usage: memsnap frob [OPTIONS] THING\n"
                                    "       memsnap frob --other THING\n"
                                    "\n"
                                    "Frobnicate a thing.\n"
                                    "\n"
                                    "options:\n"
                                    "  -o, --output FILE  write to FILE\n"
                                    "  -f, --force        replace FILE\n"
                                    "  -n, --frames N     at most N frames (default 256)\n"
                                    "      --small N      a byte-sized count\n"
                                    "      --limit SIZE   at most SIZE bytes\n"
                                    "      --count N      a signed count\n"
                                    "                     one more line\n"
                                    /* wider than the column: the help goes below */
                                    "  -c, --colour red|green|blue\n"
                                    "                     the colour (default green)\n"
                                    "      --range LO-HI  a range of our own syntax\n"
                                    "  -q, --quiet        quiet\n"
                                    /* wrapped within 79 columns, on at the help column */
                                    "  -v, --verbose      a help text long enough to be wrapped at the seventy-ninth\n"
                                    "                     column, where the words go on at the help column of the\n"
                                    "                     line below\n"
                                    "  -h, --help         show this help\n"
                                    "\n"
                                    "Exit status: 0 or 2.\n";

static char *help_of(struct fixture *x)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        assert_non_null(f);
        options_help(&x->cmd, f);
        fclose(f);
        return buf;
}

static void test_help(void **state)
{
        (void)state;
        struct fixture x;
        fixture_init(&x, false);
        _cleanup_free_ char *help = help_of(&x);
        assert_string_equal(help, expected_help);
}

static void test_help_option(void **state)
{
        (void)state;
        struct fixture x;
        _cleanup_free_ char *err = NULL;

        /* --help prints on stdout and shows the defaults as they were before the options */
        fixture_init(&x, false);
        FILE *tmp = tmpfile();
        assert_non_null(tmp);
        fflush(stdout);
        int saved = dup(STDOUT_FILENO);
        dup2(fileno(tmp), STDOUT_FILENO);
        int r = parse(&x, &err, "-n", "7", "--help", "-x", NULL);
        fflush(stdout);
        dup2(saved, STDOUT_FILENO);
        close(saved);
        assert_int_equal(r, 0);
        assert_string_equal(err, "");

        off_t len = lseek(fileno(tmp), 0, SEEK_END);
        _cleanup_free_ char *out = calloc(1, (size_t)len + 1);
        assert_non_null(out);
        assert_int_equal(pread(fileno(tmp), out, (size_t)len, 0), len);
        fclose(tmp);
        assert_string_equal(out, expected_help);
}

static void test_wide_option(void **state)
{
        (void)state;
        bool b = false;
        const struct option_spec rows[] = {
                OPTION_FLAG(0, "a-very-long-option-name-indeed", b, "goes on the next line"),
                OPTION_FLAG('b', "b", b, "short"),
        };
        const struct options_command cmd = { .name = "w", .usage = "X", .options = rows, .noptions = 2 };
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        options_help(&cmd, f);
        fclose(f);
        assert_string_equal(buf, "usage: memsnap w X\n"
                                 "\n"
                                 "options:\n"
                                 "      --a-very-long-option-name-indeed\n"
                                 "              goes on the next line\n"
                                 "  -b, --b     short\n"
                                 "  -h, --help  show this help\n");
        free(buf);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_every_kind),
                cmocka_unit_test(test_defaults_stay),
                cmocka_unit_test(test_where_options_end),
                cmocka_unit_test(test_parse_twice),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_unique_prefix),
                cmocka_unit_test(test_help),
                cmocka_unit_test(test_help_option),
                cmocka_unit_test(test_wide_option),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
