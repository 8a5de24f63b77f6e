/*
 * columns.h: the columns of a runs CSV, in order, once. The CSV writer, the
 * header line and the README's column table all come from this list.
 *
 * CB_COL(name, type, meaning)   type: s string, u unsigned, f seconds/float
 */
CB_COL(strategy, s, "sequential, threads, fork, epoll, coro, busypoll")
CB_COL(workload, s, "sleep or http")
CB_COL(n, u, "number of tasks")
CB_COL(max_in_flight, u, "0: all tasks at once; W: a pool of W")
CB_COL(duration_s, f, "sleep: D per task; http: server latency L (empty for an external URL)")
CB_COL(target, s, "http: test-server (started by the harness) or the URL; sleep: empty")
CB_COL(server, s, "http: event, blocking:W, prefork:W or external; sleep: empty")
CB_COL(rep, u, "repetition, from 1")
CB_COL(status, s, "ok, errors, limit, timeout, crashed, skipped, failed")
CB_COL(wall_s, f, "wall time around run(), inside the measured process")
CB_COL(startup_s, f, "from fork to run(): exec, loading, allocation")
CB_COL(user_s, f, "user CPU of the process and its children (wait4)")
CB_COL(sys_s, f, "system CPU of the process and its children (wait4)")
CB_COL(peak_rss_kb, u, "peak RSS of the measured process, all threads (VmHWM)")
CB_COL(child_mem_kb, u, "fork: sum of each child's USS (private pages) at exit")
CB_COL(mem_kb, u, "whole run: peak_rss_kb + child_mem_kb")
CB_COL(baseline_kb, u, "peak RSS of the measured process just before run()")
CB_COL(mem_per_task_b, f, "(mem_kb - baseline_kb) * 1024 / started")
CB_COL(kernel_kb, u, "peak rise of KernelStack+PageTables (/proc/meminfo every 20 ms, system-wide)")
CB_COL(vcsw, u, "voluntary context switches (wait4)")
CB_COL(ivcsw, u, "involuntary context switches (wait4)")
CB_COL(minflt, u, "minor page faults (wait4)")
CB_COL(p50_s, f, "median finish time of the tasks that succeeded, from run start")
CB_COL(p99_s, f, "99th percentile finish time of the tasks that succeeded, from run start")
CB_COL(max_s, f, "last finish time of the tasks that succeeded, from run start")
CB_COL(last_start_s, f, "when the last task started, from run start")
CB_COL(started, u, "tasks started")
CB_COL(completed, u, "tasks that finished and passed verification")
CB_COL(errors, u, "tasks that failed (n - completed)")
CB_COL(error_kinds, s, "kind=count list, e.g. spawn=7232 timeout=3")
CB_COL(policy, s, "what the strategy chose: stack size, pool, stack policy")
CB_COL(note, s, "why: the limit that bound, the skip reason, the signal")
#undef CB_COL
