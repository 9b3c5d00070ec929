/* Unit tests for common/demangle.c, with `c++filt -i`'s spelling (binutils) as the expected text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/demangle.h"

static void check(const char *mangled, const char *want)
{
        char *out = demangle_type(mangled);
        if (!out)
                fail_msg("'%s' not demangled, want '%s'", mangled, want);
        if (strcmp(out, want) != 0)
                fail_msg("'%s' gave '%s', want '%s'", mangled, out, want);
        free(out);
}

static void check_symbol(const char *symbol, const char *want)
{
        char *out = demangle_symbol(symbol);
        assert_non_null(out);
        if (strcmp(out, want) != 0)
                fail_msg("'%s' gave '%s', want '%s'", symbol, out, want);
        free(out);
}

static void test_names(void **state)
{
        (void)state;
        check("6Widget", "Widget");
        check("N3app6WidgetE", "app::Widget");
        check("N3app2ui6Button5LabelE", "app::ui::Button::Label");
        check("St9bad_alloc", "std::bad_alloc");
        check("NSt6thread6_StateE", "std::thread::_State");
        check("N10__cxxabiv117__class_type_infoE", "__cxxabiv1::__class_type_info");
        check("N12_GLOBAL__N_15ProbeE", "(anonymous namespace)::Probe");
}

static void test_templates(void **state)
{
        (void)state;
        check("N5boost6detail17sp_counted_impl_pI3FooEE", "boost::detail::sp_counted_impl_p<Foo>");
        check("St6vectorIiSaIiEE", "std::vector<int, std::allocator<int> >");
        check("NSt7__cxx1119basic_ostringstreamIcSt11char_traitsIcESaIcEEE",
              "std::__cxx11::basic_ostringstream<char, std::char_traits<char>, std::allocator<char> >");
        check("St23_Sp_counted_ptr_inplaceIN3app6WidgetESaIS1_ELN9__gnu_cxx12_Lock_policyE2EE",
              "std::_Sp_counted_ptr_inplace<app::Widget, std::allocator<app::Widget>, (__gnu_cxx::_Lock_policy)2>");
        check("N3app6OffsetILin3EEE", "app::Offset<-3>");
}

static void test_substitutions(void **state)
{
        (void)state;
        check("N3app3MapIPKcPNS_6WidgetEEE", "app::Map<char const*, app::Widget*>");
        check("N3app4PairINS_1AES1_EE", "app::Pair<app::A, app::A>");
        check("N3app5ArrayILi16ELb1EEE", "app::Array<16, true>");
}

/* Forms the small demangler memsnap had before refused. */
static void test_beyond_classes(void **state)
{
        (void)state;
        check("Z4mainE4Item", "main::Item");
        check("PFivE", "int (*)()");
        check("St8functionIFvRKN3app6WidgetEEE", "std::function<void (app::Widget const&)>");
}

static void test_refused(void **state)
{
        (void)state;
        assert_null(demangle_type(""));
        assert_null(demangle_type("N3appE6Widget"));   /* trailing junk */
        assert_null(demangle_type("N3app"));           /* unterminated */
        assert_null(demangle_type("99Widget"));        /* length past the end */
        assert_null(demangle_type("N3appS5_E"));       /* substitution not yet defined */
}

/* Whole symbols, as frames name them: C names stay, versions and clones are kept. */
static void test_symbols(void **state)
{
        (void)state;
        check_symbol("main", "main");
        check_symbol("i", "i"); /* not C++: never read as the type int */
        check_symbol("_ZN3app6Worker5blockEi", "app::Worker::block(int)");
        check_symbol("_ZNKSt9bad_alloc4whatEv@@GLIBCXX_3.4", "std::bad_alloc::what() const@@GLIBCXX_3.4");
        check_symbol("_Z3foov.cold", "foo() [clone .cold]");
        check_symbol("_ZNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEE6appendEPKc",
                     "std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >::append(char const*)");
        check_symbol("_Zbad", "_Zbad"); /* refused: kept as it is */
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_names),
                cmocka_unit_test(test_templates),
                cmocka_unit_test(test_substitutions),
                cmocka_unit_test(test_beyond_classes),
                cmocka_unit_test(test_refused),
                cmocka_unit_test(test_symbols),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
