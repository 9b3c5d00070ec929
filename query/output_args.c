/* Implementation of output_args.h. */
#include "output_args.h"

#include <errno.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/suggest.h"

int output_args_finish(const struct output_args *a, FILE *out, bool keyed, struct output_options *opt)
{
        const struct output_format *f;
        char names[128];

        if (a->format) {
                f = output_format_find(a->format);
                if (!f) {
                        const char *list[16];
                        char near[64];
                        size_t n = 0;
                        for (const struct output_format *of = output_formats; of->name && n + 1 < ELEMENTSOF(list); of++)
                                list[n++] = of->name;
                        list[n] = NULL;
                        if (suggest_nearest(a->format, list, near, sizeof(near)) > 0)
                                return log_error_errno(EINVAL, "unknown format '%s'; did you mean %s?", a->format, near);
                        return log_error_errno(EINVAL, "unknown format '%s'; formats: %s", a->format,
                                               output_format_names(names, sizeof(names)));
                }
        } else
                f = output_format_default(out);

        if (a->header >= 0 && f->keys != KEYS_HEADER)
                return log_error_errno(EINVAL, "--header and --no-header do not apply to the %s format: "
                                       "it names every value", f->name);
        if (a->header == 0 && f->header_required)
                return log_error_errno(EINVAL, "a %s table needs its header row; --no-header does not apply",
                                       f->name);

        *opt = (struct output_options){
                .format = f,
                .out = out,
                .header = a->header >= 0 ? a->header : keyed ? f->header_keyed : f->header_default,
                .hex = a->hex >= 0 ? a->hex : f->human,
                .human = a->human >= 0 ? a->human : (keyed && f->human),
                .color = f->human && output_color_wanted(out),
        };
        return 0;
}

void output_args_help_formats(FILE *f, int indent)
{
        for (const struct output_format *of = output_formats; of->name; of++)
                fprintf(f, "%*s%-9s %s\n", indent + 2, "", of->name, of->summary);
}
