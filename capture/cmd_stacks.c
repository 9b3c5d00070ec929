/* Placeholder until the stacks stage lands; replaced by its real entry point. */
#include "builtin.h"
#include "common/log.h"

int cmd_stacks(int argc, char **argv)
{
        (void)argc;
        (void)argv;
        log_error("'stacks' is not built yet");
        return EXIT_FAIL;
}
