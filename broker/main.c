/* SPDX-License-Identifier: Apache-2.0 */
/* concord-broker: entry point. The real broker runs with no hooks. */
#include "broker_main.h"

int main(int argc, char **argv)
{
    return broker_main(argc, argv, NULL);
}
