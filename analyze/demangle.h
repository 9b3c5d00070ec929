/*
 * A small demangler for the Itanium C++ ABI type names that follow _ZTV in
 * a vtable's symbol: enough for classes, namespaces, nested classes and
 * templates over them and builtin types ("_ZTVN3app6WidgetE" -> app::Widget,
 * "_ZTVSt9bad_alloc" -> std::bad_alloc).  Forms it does not know (function
 * types, lambdas' closures, ABI tags, expressions in template arguments)
 * make it give up, and the caller keeps the mangled name.
 */
#ifndef MEMSNAP_DEMANGLE_H
#define MEMSNAP_DEMANGLE_H

#include <stdbool.h>
#include <stddef.h>

#define DEMANGLE_MAX 512 /* longest name produced, NUL included */

/* Writes the type mangled in `mangled` (all of it) to out; false when it cannot. */
bool demangle_type(const char *mangled, char *out, size_t outsz);

#endif
