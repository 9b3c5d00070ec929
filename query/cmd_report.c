/* Placeholder until the report stage lands; replaced by its real entry point. */
#include "builtin.h"
#include "common/log.h"

int cmd_report(int argc, char **argv)
{
        (void)argc;
        (void)argv;
        log_error("'report' is not built yet");
        return EXIT_FAIL;
}
