/*
 * Implementation of demangle.h: a recursive-descent reader of the subset of
 * the Itanium C++ ABI's <type> grammar (itanium-cxx-abi.github.io, section
 * 5.1 "External Names") that class names use, with its substitution table
 * (S_, S0_, ...) built as the ABI says: every prefix of a nested name, every
 * template name and instantiation, every pointer, reference or qualified
 * type, in the order they complete.  Output matches c++filt's spelling
 * ("std::vector<int, std::allocator<int> >").
 */
#include "demangle.h"

#include <stdlib.h>
#include <string.h>

#define SUBS_MAX 64
#define DEPTH_MAX 32

struct str {
        char b[DEMANGLE_MAX];
        size_t n;
};

struct dm {
        const char *p;
        unsigned depth;
        size_t nsubs;
        struct str subs[SUBS_MAX];
};

static bool put(struct str *s, const char *t, size_t len)
{
        if (s->n + len + 1 > sizeof(s->b))
                return false;
        memcpy(s->b + s->n, t, len);
        s->n += len;
        s->b[s->n] = '\0';
        return true;
}

static bool puts_(struct str *s, const char *t) { return put(s, t, strlen(t)); }

static bool add_sub(struct dm *d, const struct str *s)
{
        if (d->nsubs >= SUBS_MAX)
                return false;
        d->subs[d->nsubs++] = *s;
        return true;
}

static bool parse_type(struct dm *d, struct str *out);
static bool builtin(char c, const char **name);

/* <source-name> ::= <positive length number> <identifier> */
static bool source_name(struct dm *d, struct str *out)
{
        if (*d->p < '1' || *d->p > '9')
                return false;
        size_t len = 0;
        while (*d->p >= '0' && *d->p <= '9') {
                len = len * 10 + (size_t)(*d->p++ - '0');
                if (len > DEMANGLE_MAX)
                        return false;
        }
        if (strnlen(d->p, len) < len)
                return false;
        /* GCC names anonymous namespaces _GLOBAL__N_1; c++filt says so. */
        bool anon = len >= 10 && strncmp(d->p, "_GLOBAL__N", 10) == 0;
        bool ok = anon ? puts_(out, "(anonymous namespace)") : put(out, d->p, len);
        d->p += len;
        return ok;
}

/* <substitution> ::= S_ | S <seq-id> _ | Sa | Sb | Ss | Si | So | Sd (St is handled by callers) */
static bool substitution(struct dm *d, struct str *out, bool *candidate)
{
        static const struct {
                char c;
                const char *name;
        } abbrev[] = {
                { 'a', "std::allocator" },
                { 'b', "std::basic_string" },
                { 's', "std::string" },
                { 'i', "std::istream" },
                { 'o', "std::ostream" },
                { 'd', "std::iostream" },
        };
        if (d->p[0] != 'S')
                return false;
        *candidate = false;
        for (size_t k = 0; k < sizeof(abbrev) / sizeof(abbrev[0]); k++)
                if (d->p[1] == abbrev[k].c) {
                        d->p += 2;
                        return puts_(out, abbrev[k].name);
                }
        /* seq-id: base 36 with digits 0-9A-Z; S_ is 0, S0_ is 1. */
        size_t idx = 0;
        const char *q = d->p + 1;
        if (*q != '_') {
                size_t v = 0;
                for (; *q != '_'; q++) {
                        if (*q >= '0' && *q <= '9')
                                v = v * 36 + (size_t)(*q - '0');
                        else if (*q >= 'A' && *q <= 'Z')
                                v = v * 36 + (size_t)(*q - 'A' + 10);
                        else
                                return false;
                        if (v >= SUBS_MAX)
                                return false;
                }
                idx = v + 1;
        }
        if (idx >= d->nsubs)
                return false;
        d->p = q + 1;
        return puts_(out, d->subs[idx].b);
}

/* <template-args> ::= I <template-arg>+ E, appended to out as <...>. */
static bool template_args(struct dm *d, struct str *out)
{
        if (*d->p++ != 'I' || !puts_(out, "<"))
                return false;
        for (bool first = true; *d->p != 'E'; first = false) {
                struct str arg = { 0 };
                if (!*d->p)
                        return false;
                if (*d->p == 'L') {
                        /* <expr-primary> ::= L <type> <value number> E: integral and enum literals. */
                        d->p++;
                        const char *name;
                        struct str type = { 0 };
                        char code = *d->p;
                        bool is_builtin = builtin(code, &name);
                        if (is_builtin)
                                d->p++;
                        else if (!parse_type(d, &type))
                                return false;
                        bool neg = *d->p == 'n';
                        if (neg)
                                d->p++;
                        const char *digits = d->p;
                        while (*d->p >= '0' && *d->p <= '9')
                                d->p++;
                        size_t ndigits = (size_t)(d->p - digits);
                        if (*d->p != 'E' || ndigits == 0 || (is_builtin && !strchr("bcahstijlmxy", code)))
                                return false;
                        bool ok = true;
                        if (is_builtin && code == 'b')
                                ok = puts_(&arg, *digits == '0' ? "false" : "true");
                        else
                                ok = (is_builtin || (puts_(&arg, "(") && put(&arg, type.b, type.n) && puts_(&arg, ")"))) &&
                                     (!neg || puts_(&arg, "-")) && put(&arg, digits, ndigits);
                        if (!ok)
                                return false;
                        d->p++;
                } else if (!parse_type(d, &arg)) {
                        return false;
                }
                if ((!first && !puts_(out, ", ")) || !put(out, arg.b, arg.n))
                        return false;
        }
        d->p++;
        if (out->n && out->b[out->n - 1] == '>' && !puts_(out, " "))
                return false;
        return puts_(out, ">");
}

/* <nested-name> ::= N [<CV-qualifiers>] <prefix> <unqualified-name> E */
static bool nested_name(struct dm *d, struct str *out)
{
        d->p++;
        while (*d->p == 'K' || *d->p == 'V' || *d->p == 'r')
                d->p++; /* qualifiers of a member function's this: not part of a class name */
        bool any = false;
        while (*d->p != 'E') {
                if (*d->p == 'S' && d->p[1] == 't' && !any) {
                        d->p += 2;
                        if (!puts_(out, "std"))
                                return false;
                        any = true;
                        continue; /* "std" alone is no candidate */
                }
                if (*d->p == 'S' && !any) {
                        bool cand;
                        if (!substitution(d, out, &cand))
                                return false;
                        any = true;
                        continue;
                }
                if (*d->p == 'I' && any) {
                        if (!template_args(d, out) || !add_sub(d, out))
                                return false;
                        continue;
                }
                if (any && !puts_(out, "::"))
                        return false;
                if (!source_name(d, out) || !add_sub(d, out))
                        return false;
                any = true;
        }
        d->p++;
        return any;
}

static bool builtin(char c, const char **name)
{
        static const char *const names[26] = {
                ['a' - 'a'] = "signed char",      ['b' - 'a'] = "bool",          ['c' - 'a'] = "char",
                ['d' - 'a'] = "double",           ['e' - 'a'] = "long double",   ['f' - 'a'] = "float",
                ['g' - 'a'] = "__float128",       ['h' - 'a'] = "unsigned char", ['i' - 'a'] = "int",
                ['j' - 'a'] = "unsigned int",     ['l' - 'a'] = "long",          ['m' - 'a'] = "unsigned long",
                ['n' - 'a'] = "__int128",         ['o' - 'a'] = "unsigned __int128",
                ['s' - 'a'] = "short",            ['t' - 'a'] = "unsigned short", ['v' - 'a'] = "void",
                ['w' - 'a'] = "wchar_t",          ['x' - 'a'] = "long long",     ['y' - 'a'] = "unsigned long long",
                ['z' - 'a'] = "...",
        };
        if (c < 'a' || c > 'z' || !names[c - 'a'])
                return false;
        *name = names[c - 'a'];
        return true;
}

static bool parse_type(struct dm *d, struct str *out)
{
        const char *name;
        bool ok;

        if (++d->depth > DEPTH_MAX)
                return false;
        char c = *d->p;
        if (builtin(c, &name)) {
                d->p++;
                ok = puts_(out, name);
        } else if (c == 'P' || c == 'R' || c == 'O' || c == 'K' || c == 'V') {
                static const char *const suffix[] = { ['P' - 'K'] = "*", ['R' - 'K'] = "&", ['O' - 'K'] = "&&",
                                                      ['K' - 'K'] = " const", ['V' - 'K'] = " volatile" };
                d->p++;
                ok = parse_type(d, out) && puts_(out, suffix[c - 'K']) && add_sub(d, out);
        } else if (c == 'N') {
                ok = nested_name(d, out);
        } else if (c == 'S' && d->p[1] == 't') {
                d->p += 2;
                ok = puts_(out, "std::") && source_name(d, out);
                if (ok && *d->p == 'I')
                        ok = add_sub(d, out) && template_args(d, out);
                ok = ok && add_sub(d, out);
        } else if (c == 'S') {
                bool cand;
                ok = substitution(d, out, &cand);
                if (ok && *d->p == 'I')
                        ok = template_args(d, out) && add_sub(d, out);
        } else if (c >= '1' && c <= '9') {
                ok = source_name(d, out);
                if (ok && *d->p == 'I')
                        ok = add_sub(d, out) && template_args(d, out);
                ok = ok && add_sub(d, out);
        } else {
                ok = false; /* function, array, member-pointer, template-param, decltype types */
        }
        d->depth--;
        return ok;
}

bool demangle_type(const char *mangled, char *out, size_t outsz)
{
        struct dm *d = calloc(1, sizeof(*d));
        struct str s = { 0 };

        if (!d)
                return false;
        d->p = mangled;
        bool ok = parse_type(d, &s) && *d->p == '\0' && s.n < outsz;
        if (ok)
                memcpy(out, s.b, s.n + 1);
        free(d);
        return ok;
}
