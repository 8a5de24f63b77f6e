/* cb_version.h: CB_VERSION, concbench's `git describe` at build time
 * (build/version.h, written by the Makefile), or "unknown". */
#ifndef CB_VERSION_H
#define CB_VERSION_H

#ifndef CB_VERSION
#if __has_include("version.h")
#include "version.h"
#else
#define CB_VERSION "unknown"
#endif
#endif

#endif
