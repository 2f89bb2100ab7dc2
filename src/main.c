/*
 * main.c - the gridgov binary: one command for the server and the administration tools.
 * Everything is dispatched through the subcommand table in src/cli/cli.c.
 */
#include "cli/cli.h"
#include "store/store.h"

#include <stdio.h>

int main(int argc, char **argv)
{
    if (store_process_init() != 0)
        fputs("gridgov: warning: the storage library's process settings were refused\n", stderr);
    return cli_main(argc, argv);
}
