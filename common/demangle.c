/*
 * Implementation of demangle.h.  __cxa_demangle is the C++ ABI's entry
 * point (libstdc++'s cxxabi.h, declared here since C cannot include it); it
 * demangles a whole name when given one that starts with _Z, and a bare type
 * otherwise, so names that are not C++ are never handed to it: "i" would
 * come back as "int".
 */
#include "demangle.h"

#include <stdlib.h>
#include <string.h>

#include "cleanup.h"

/* libstdc++ cxxabi.h; status 0 when the result is set. */
char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status);

char *demangle_type(const char *mangled)
{
        int status = 0;
        char *out = __cxa_demangle(mangled, NULL, NULL, &status);
        if (status != 0) {
                free(out);
                return NULL;
        }
        return out;
}

char *demangle_symbol(const char *symbol)
{
        if (strncmp(symbol, "_Z", 2) != 0)
                return strdup(symbol);
        /* "name@VERSION" or "name@@VERSION": the demangler knows no versions. */
        size_t len = strcspn(symbol, "@");
        _cleanup_free_ char *name = strndup(symbol, len);
        if (!name)
                return NULL;
        int status = 0;
        _cleanup_free_ char *readable = __cxa_demangle(name, NULL, NULL, &status);
        if (status != 0 || !readable)
                return strdup(symbol);
        char *out = NULL;
        if (asprintf(&out, "%s%s", readable, symbol + len) < 0)
                return NULL;
        return out;
}
