/*
 * cxx_why: a C++ structure with known ownership for `memsnap why`
 * (tests/e2e/cxx_why.sh).  The global g_registry points to a
 * shop::Registry (polymorphic), whose std::vector's storage holds
 * polymorphic widgets (shop::Button, shop::Slider), each owning a heap
 * buffer.  Nothing else points into the structure once it is built: the
 * stack the building used is scrubbed before the program waits.
 *
 * It prints its own truth, one line each:
 *   "pid P"
 *   "global ADDRESS"                  &g_registry
 *   "registry ADDRESS CLASS"          the Registry, its dynamic type
 *   "storage ADDRESS"                 the vector's element array
 *   "widget I ADDRESS CLASS BUFFER"   each widget, its dynamic type, its buffer
 * with CLASS as abi::__cxa_demangle names typeid(*object), then "ready",
 * and reads stdin until end of input.
 */
#include <cxxabi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <typeinfo>
#include <unistd.h>
#include <vector>

namespace shop {

struct Widget {
        char *buffer;
        explicit Widget(size_t n) : buffer(static_cast<char *>(malloc(n))) { memset(buffer, 0x5a, n); }
        virtual ~Widget() { free(buffer); }
        virtual int weight() const = 0;
};

struct Button : Widget {
        int clicks = 0;
        explicit Button(size_t n) : Widget(n) {}
        int weight() const override { return 1 + clicks; }
};

struct Slider : Widget {
        double low = 0, high = 1;
        explicit Slider(size_t n) : Widget(n) {}
        int weight() const override { return 2; }
};

struct Registry {
        std::vector<Widget *> widgets;
        virtual ~Registry()
        {
                for (Widget *w : widgets)
                        delete w;
        }
        virtual size_t count() const { return widgets.size(); }
};

} // namespace shop

shop::Registry *g_registry;

/* The dynamic type's name, as the C++ runtime demangles it. */
template <typename T> static void print_class(const T &object)
{
        int status;
        char *name = abi::__cxa_demangle(typeid(object).name(), nullptr, nullptr, &status);
        printf(" %s", status == 0 ? name : typeid(object).name());
        free(name);
}

__attribute__((noinline)) static void build(int n)
{
        auto *r = new shop::Registry;
        for (int i = 0; i < n; i++) {
                /* sizes that are no other block's: 200 + 48 i */
                if (i % 2)
                        r->widgets.push_back(new shop::Slider(200 + 48 * i));
                else
                        r->widgets.push_back(new shop::Button(200 + 48 * i));
        }
        g_registry = r;
}

__attribute__((noinline)) static void report(void)
{
        const shop::Registry *r = g_registry;
        printf("global %p\nregistry %p", (void *)&g_registry, (void *)r);
        print_class(*r);
        printf("\nstorage %p\n", (void *)r->widgets.data());
        for (size_t i = 0; i < r->widgets.size(); i++) {
                const shop::Widget *w = r->widgets[i];
                printf("widget %zu %p", i, (const void *)w);
                print_class(*w);
                printf(" %p\n", (void *)w->buffer);
        }
}

/* Zeroes the stack below this frame, where build and report left copies
 * of the structure's pointers, so that only g_registry holds it. */
__attribute__((noinline)) static void scrub_stack(void)
{
        volatile char area[64 * 1024];
        memset((char *)area, 0, sizeof(area));
        __asm__ volatile("" : : "r"(area) : "memory");
}

int main(void)
{
        char buf[64];

        build(6);
        printf("pid %d\n", (int)getpid());
        report();
        scrub_stack();
        printf("ready\n");
        fflush(stdout);
        while (read(0, buf, sizeof(buf)) > 0)
                ;
        return g_registry->count() == 6 ? 0 : 1;
}
