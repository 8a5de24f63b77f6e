/* machine.h: the machine record written beside every results file. */
#ifndef CB_MACHINE_H
#define CB_MACHINE_H

#include <stdio.h>

/* Write `key: value` lines: CPU, cores, kernel, compiler and flags, libc,
 * libcurl, the limits that shape the benchmark, load and time now.
 * 0 or -EIO. */
int cb_machine_write(FILE *f);

#endif
