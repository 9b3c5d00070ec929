/* Unit tests for analyze/demangle.c, with c++filt's spelling as the expected text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/demangle.h"

static void check(const char *mangled, const char *want)
{
        char out[DEMANGLE_MAX];
        if (!demangle_type(mangled, out, sizeof(out)))
                fail_msg("'%s' not demangled, want '%s'", mangled, want);
        if (strcmp(out, want) != 0)
                fail_msg("'%s' gave '%s', want '%s'", mangled, out, want);
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

static void test_refused(void **state)
{
        (void)state;
        char out[DEMANGLE_MAX];
        assert_false(demangle_type("", out, sizeof(out)));
        assert_false(demangle_type("N3appE6Widget", out, sizeof(out)));   /* trailing junk */
        assert_false(demangle_type("N3app", out, sizeof(out)));           /* unterminated */
        assert_false(demangle_type("99Widget", out, sizeof(out)));        /* length past the end */
        assert_false(demangle_type("Z4mainE4Item", out, sizeof(out)));    /* local class */
        assert_false(demangle_type("N3appS5_E", out, sizeof(out)));       /* substitution not yet defined */
        assert_false(demangle_type("6Widget", out, 4));                   /* does not fit */
        char deep[400];
        size_t n = 0;
        for (int i = 0; i < 100; i++)
                deep[n++] = 'P';
        deep[n++] = 'i';
        deep[n] = '\0';
        assert_false(demangle_type(deep, out, sizeof(out)));              /* nesting is bounded */
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_names),
                cmocka_unit_test(test_templates),
                cmocka_unit_test(test_substitutions),
                cmocka_unit_test(test_refused),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
