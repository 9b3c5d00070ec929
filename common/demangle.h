/*
 * C++ names made readable, by the demangler of the C++ runtime
 * (__cxa_demangle, libstdc++): the whole Itanium C++ ABI grammar, spelled as
 * eu-stack and `c++filt -i` spell it.  analyze names frames and vtable types
 * with it, `memsnap stacks` its frames.
 */
#ifndef MEMSNAP_DEMANGLE_H
#define MEMSNAP_DEMANGLE_H

/*
 * The readable name of the ELF symbol `symbol`, malloc'ed: a C++ name
 * (_Z...) demangled, with the version a symbol table may append kept as it
 * is ("std::bad_alloc::what() const@@GLIBCXX_3.4"); any other name, or one
 * the demangler refuses, copied.  NULL only when out of memory.
 */
char *demangle_symbol(const char *symbol);

/* The type mangled in `mangled` (all of it: "N3app6WidgetE"), malloc'ed; NULL when it is not one. */
char *demangle_type(const char *mangled);

#endif
