/* machine.h: the machine record written beside every results file. */
#ifndef CB_MACHINE_H
#define CB_MACHINE_H

#include <stdio.h>

/* Write `key: value` lines: the concbench version (git describe at build
 * time), the command line, CPU, cores, SMT, the CPU frequency governor,
 * kernel, compiler and flags, libc, libcurl, the limits that shape the
 * benchmark, load and time now. 0 or -EIO. */
int cb_machine_write(FILE *f);

/* The command line the record names (copied). Not thread-safe: call it
 * from main before any record is written. */
void cb_machine_set_command(const char *command);

#endif
