/* Placeholder until the capture stage lands; replaced by its real entry point. */
#include "builtin.h"
#include "common/log.h"

int cmd_capture(int argc, char **argv)
{
        (void)argc;
        (void)argv;
        log_error("'capture' is not built yet");
        return EXIT_FAIL;
}
