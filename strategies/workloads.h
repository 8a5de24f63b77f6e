/*
 * workloads.h: every workload, once, in the style of list.h. Adding a
 * workload is one file (w_<name>.c) that defines
 * `const struct cb_workload_type cb_workload_<name>` (workload.h) and one
 * line here; the enum cb_kind, the registry, option parsing, the protocol
 * and the CSV's workload column all read this list.
 *
 * Usage: #define CB_WORKLOAD(ID, name) ...  #include "workloads.h"
 */
CB_WORKLOAD(CB_SLEEP, sleep) /* each task waits sleep_ns */
CB_WORKLOAD(CB_HTTP, http)   /* each task GETs url and verifies the response */
#undef CB_WORKLOAD
