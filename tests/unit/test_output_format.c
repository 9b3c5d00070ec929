/* Unit tests for query/output_format.c: roles, rendering and the layouts of every format. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "query/output_format.h"
#include "query_fixture.h"

static struct output_options opts(const char *format, bool header, bool hex, bool human, FILE *out)
{
        return (struct output_options){
                .format = output_format_find(format), .out = out, .header = header, .hex = hex, .human = human,
        };
}

static void assert_render(const char *format, bool hex, bool human, const char *column, struct output_cell c,
                          const char *expected)
{
        struct output_options o = opts(format, true, hex, human, NULL);
        char *s = output_render(&o, output_column_role(column), output_column_signed(column), &c);
        assert_non_null(s);
        assert_string_equal(s, expected);
        free(s);
}

static void test_roles(void **state)
{
        (void)state;
        assert_int_equal(output_column_role("mem"), ROLE_ADDRESS);
        assert_int_equal(output_column_role("START"), ROLE_ADDRESS);
        assert_int_equal(output_column_role("from_address"), ROLE_ADDRESS);
        assert_int_equal(output_column_role("example_mem"), ROLE_ADDRESS);
        assert_int_equal(output_column_role("size"), ROLE_BYTES);
        assert_int_equal(output_column_role("used_bytes"), ROLE_BYTES);
        assert_int_equal(output_column_role("stack_size"), ROLE_BYTES);
        assert_int_equal(output_column_role("rss_kb"), ROLE_KB);
        assert_int_equal(output_column_role("pid"), ROLE_PLAIN);
        assert_int_equal(output_column_role("blocks"), ROLE_PLAIN);
        assert_int_equal(output_column_role("kb"), ROLE_PLAIN);
        assert_int_equal(output_column_role(NULL), ROLE_PLAIN);
        /* a difference has the role of what it differs in */
        assert_int_equal(output_column_role("bytes_delta"), ROLE_BYTES);
        assert_int_equal(output_column_role("rss_kb_delta"), ROLE_KB);
        assert_int_equal(output_column_role("count_delta"), ROLE_PLAIN);
        assert_true(output_column_signed("count_delta"));
        assert_false(output_column_signed("count"));
}

static void test_render_numbers(void **state)
{
        (void)state;
        assert_render("table", true, false, "mem", cell_int(0x7ffff7a00010), "0x7ffff7a00010");
        /* the vsyscall page, stored negative by SQLite, is still the address it is */
        assert_render("table", true, false, "start", cell_int((int64_t)0xffffffffff600000ull), "0xffffffffff600000");
        assert_render("tsv", false, false, "mem", cell_int(0x7ffff7a00010), "140737347846160");
        assert_render("json", true, false, "mem", cell_int(255), "\"0xff\"");
        assert_render("table", false, true, "size", cell_int(4198400), "4.00 MiB");
        assert_render("table", false, true, "rss_kb", cell_int(2048), "2.00 MiB");
        assert_render("table", false, true, "size", cell_int(812), "812 B");
        assert_render("table", false, true, "bytes_delta", cell_int(-32), "-32 B");
        assert_render("table", false, true, "bytes_delta", cell_int(4096), "+4.00 KiB");
        assert_render("table", false, false, "count_delta", cell_int(3), "+3");
        assert_render("table", false, false, "count_delta", cell_int(0), "0");
        /* no '+' where a program reads the number */
        assert_render("json", false, false, "count_delta", cell_int(3), "3");
        assert_render("csv", false, false, "count_delta", cell_int(3), "3");
        assert_render("table", false, false, "size", cell_int(4198400), "4198400");
        assert_render("table", false, true, "pid", cell_int(4242), "4242");
        assert_render("json", false, false, "x", cell_real(0.1), "0.1");
        assert_render("json", false, false, "x", cell_real(1.0 / 3.0), "0.3333333333333333");
        assert_render("json", false, false, "x", cell_real(INFINITY), "null");
        assert_render("table", false, false, "x", cell_real(1.0 / 3.0), "0.33");
        assert_render("json", false, false, "x", cell_null(), "null");
        assert_render("csv", false, false, "x", cell_null(), "");
        assert_render("table", false, true, "size", cell_null(), "");
}

static void test_render_text(void **state)
{
        (void)state;
        assert_render("csv", false, false, "t", output_cell_text("plain"), "plain");
        assert_render("csv", false, false, "t", output_cell_text("a,b"), "\"a,b\"");
        assert_render("csv", false, false, "t", output_cell_text("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_render("csv", false, false, "t", output_cell_text("two\nlines"), "\"two\nlines\"");
        assert_render("tsv", false, false, "t", output_cell_text("a\tb\nc\\d"), "a\\tb\\nc\\\\d");
        assert_render("json", false, false, "t", output_cell_text("q\"b\\\n\x01"), "\"q\\\"b\\\\\\n\\u0001\"");
        assert_render("json", false, false, "t", output_cell_text("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
        /* JSON is UTF-8: a stray byte (a path in Latin-1) becomes U+FFFD, never invalid output */
        assert_render("json", false, false, "t", output_cell_text("caf\xe9!"), "\"caf\\ufffd!\"");
        assert_render("json", false, false, "t", output_cell_text("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");
        assert_render("table", false, false, "t", output_cell_text("a\nb\x1b"), "a\\nb\\x1b");
        assert_render("markdown", false, false, "t", output_cell_text("a|b"), "a\\|b");
        /* untrusted text: ESC, BEL, DEL, C1 controls and bytes that are not UTF-8 never pass raw */
        static const char hostile[] = "\x1b]0;t\x07\x7f\xc2\x9b\xff caf\xc3\xa9";
        assert_render("table", false, false, "t", output_cell_text(hostile), "\\x1b]0;t\\x07\\x7f\\xc2\\x9b\\xff caf\xc3\xa9");
        assert_render("tsv", false, false, "t", output_cell_text(hostile), "\\x1b]0;t\\x07\\x7f\\xc2\\x9b\\xff caf\xc3\xa9");
        assert_render("csv", false, false, "t", output_cell_text(hostile), "\\x1b]0;t\\x07\\x7f\\xc2\\x9b\\xff caf\xc3\xa9");
        assert_render("csv", false, false, "t", output_cell_text("a\r\tb,c"), "\"a\\x0d\tb,c\"");
        assert_render("json", false, false, "t", output_cell_text(hostile), "\"\\u001b]0;t\\u0007\\u007f\\u009b\\ufffd caf\xc3\xa9\"");
        static const unsigned char blob[] = { 0x00, 0xab, 0x7f };
        assert_render("table", false, false, "head", cell_blob(blob, 3), "00ab7f");
        assert_render("json", false, false, "head", cell_blob(blob, 3), "\"00ab7f\"");
}

/* Prints a two-column set of three rows in format and returns the text. */
static const char *print_set(struct capture *cap, const char *format, bool header, bool keyed, bool human)
{
        static const char *const names[] = { "kind", "rss_kb" };
        struct output o;
        struct output_options oo = opts(format, header, true, human, capture_begin(cap));

        output_init(&o, &oo, keyed);
        assert_int_equal(output_doc_begin(&o), 0);
        assert_int_equal(output_set_begin(&o, "mappings", false, names, 2), 0);
        struct output_cell rows[][2] = {
                { output_cell_text("heap"), cell_int(8332) },
                { output_cell_text("stack"), cell_null() },
                { output_cell_text("a,b"), cell_int(4) },
        };
        for (size_t i = 0; i < 3; i++)
                assert_int_equal(output_set_row(&o, rows[i]), 0);
        assert_int_equal(output_set_end(&o), 0);
        assert_int_equal(output_doc_end(&o), 0);
        output_free(&o);
        return capture_end(cap);
}

static void test_layouts(void **state)
{
        (void)state;
        struct capture cap = { 0 };

        assert_string_equal(print_set(&cap, "table", true, false, false),
                            "kind   rss_kb\n"
                            "-----  ------\n"
                            "heap     8332\n"
                            "stack        \n"
                            "a,b         4\n");
        assert_string_equal(print_set(&cap, "table", true, false, true),
                            "kind        rss\n"
                            "-----  --------\n"
                            "heap   8.14 MiB\n"
                            "stack          \n"
                            "a,b    4.00 KiB\n");
        assert_string_equal(print_set(&cap, "table", false, false, false),
                            "heap   8332\n"
                            "stack      \n"
                            "a,b       4\n");
        assert_string_equal(print_set(&cap, "csv", true, false, false), "kind,rss_kb\nheap,8332\nstack,\n\"a,b\",4\n");
        assert_string_equal(print_set(&cap, "tsv", false, false, false), "heap\t8332\nstack\t\na,b\t4\n");
        assert_string_equal(print_set(&cap, "json", false, false, false),
                            "[{\"kind\":\"heap\",\"rss_kb\":8332},\n"
                            "{\"kind\":\"stack\",\"rss_kb\":null},\n"
                            "{\"kind\":\"a,b\",\"rss_kb\":4}]\n");
        assert_string_equal(print_set(&cap, "json", false, true, false),
                            "{\"mappings\": [{\"kind\":\"heap\",\"rss_kb\":8332},\n"
                            "{\"kind\":\"stack\",\"rss_kb\":null},\n"
                            "{\"kind\":\"a,b\",\"rss_kb\":4}]}\n");
        assert_string_equal(print_set(&cap, "markdown", true, false, false),
                            "| kind  | rss_kb |\n"
                            "| ----- | -----: |\n"
                            "| heap  |   8332 |\n"
                            "| stack |        |\n"
                            "| a,b   |      4 |\n");
        assert_string_equal(print_set(&cap, "line", false, false, false),
                            "  kind = heap\n"
                            "rss_kb = 8332\n"
                            "\n"
                            "  kind = stack\n"
                            "rss_kb = \n"
                            "\n"
                            "  kind = a,b\n"
                            "rss_kb = 4\n");
        /* a report in a pipe: each section named by a "# " line, a header row (keyed: header_keyed) */
        assert_string_equal(print_set(&cap, "tsv", true, true, false), "# mappings\nkind\trss_kb\nheap\t8332\nstack\t\na,b\t4\n");
        assert_string_equal(print_set(&cap, "csv", true, true, false), "# mappings\nkind,rss_kb\nheap,8332\nstack,\n\"a,b\",4\n");
        assert_string_equal(print_set(&cap, "markdown", true, true, false),
                            "### mappings\n\n"
                            "| kind  | rss_kb |\n"
                            "| ----- | -----: |\n"
                            "| heap  |   8332 |\n"
                            "| stack |        |\n"
                            "| a,b   |      4 |\n");
        assert_string_equal(print_set(&cap, "table", true, true, false),
                            "mappings\n"
                            "kind   rss_kb\n"
                            "-----  ------\n"
                            "heap     8332\n"
                            "stack        \n"
                            "a,b         4\n");
        capture_free(&cap);
}

static void test_empty_and_vertical(void **state)
{
        (void)state;
        static const char *const names[] = { "pid", "exe" };
        struct capture cap = { 0 };
        struct output o;
        struct output_options oo = opts("json", false, false, false, capture_begin(&cap));

        /* an empty result is still a JSON document */
        output_init(&o, &oo, false);
        output_set_begin(&o, NULL, false, names, 2);
        output_set_end(&o);
        output_free(&o);
        assert_string_equal(capture_end(&cap), "[]\n");

        oo = opts("table", true, false, false, capture_begin(&cap));
        output_init(&o, &oo, true);
        output_set_begin(&o, "process", true, names, 2);
        struct output_cell row[] = { cell_int(4242), output_cell_text("/bin/leak") };
        output_set_row(&o, row);
        output_set_end(&o);
        output_set_begin(&o, "leaks", false, names, 2);
        output_set_end(&o);
        output_free(&o);
        assert_string_equal(capture_end(&cap),
                            "process\n"
                            "pid  4242\n"
                            "exe  /bin/leak\n"
                            "\n"
                            "leaks\n"
                            "(none)\n");
        capture_free(&cap);
}

static void test_formats_table(void **state)
{
        (void)state;
        char names[128];
        assert_string_equal(output_format_names(names, sizeof(names)), "table, csv, tsv, json, markdown, line");
        assert_null(output_format_find("xml"));
        assert_true(output_format_find("markdown")->header_required);
        assert_true(output_format_find("table")->human);
        assert_false(output_format_find("tsv")->header_default);
        assert_true(output_format_find("csv")->header_default);
        /* every format with a header row gives reports one by default */
        for (const struct output_format *f = output_formats; f->name; f++)
                if (f->keys == KEYS_HEADER)
                        assert_true(f->header_keyed);
}

static void test_color(void **state)
{
        (void)state;
        FILE *f = fopen("/dev/null", "w");
        setenv("NO_COLOR", "1", 1);
        assert_false(output_color_wanted(f));
        unsetenv("NO_COLOR");
        /* not a terminal */
        assert_false(output_color_wanted(f));
        fclose(f);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_roles),
                cmocka_unit_test(test_render_numbers),
                cmocka_unit_test(test_render_text),
                cmocka_unit_test(test_layouts),
                cmocka_unit_test(test_empty_and_vertical),
                cmocka_unit_test(test_formats_table),
                cmocka_unit_test(test_color),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
