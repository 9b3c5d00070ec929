/* Placeholder until the diff stage lands; replaced by its real entry point. */
#include "builtin.h"
#include "common/log.h"

int cmd_diff(int argc, char **argv)
{
        (void)argc;
        (void)argv;
        log_error("'diff' is not built yet");
        return EXIT_FAIL;
}
