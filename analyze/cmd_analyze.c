/* Placeholder until the analyze stage lands; replaced by its real entry point. */
#include "builtin.h"
#include "common/log.h"

int cmd_analyze(int argc, char **argv)
{
        (void)argc;
        (void)argv;
        log_error("'analyze' is not built yet");
        return EXIT_FAIL;
}
