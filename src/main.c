/*
 * main.c - the gridgov binary: one command for the server and the administration tools.
 * Everything is dispatched through the subcommand table in src/cli/cli.c.
 */
#include "cli/cli.h"

int main(int argc, char **argv)
{
    return cli_main(argc, argv);
}
