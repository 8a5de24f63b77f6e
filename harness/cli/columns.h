/*
 * columns.h: the columns of a runs CSV, in order, once. The CSV writer, the
 * header line and the README's column table all come from this list.
 *
 * CB_COL(name, type, meaning)   type: s string, u unsigned, f seconds/float
 */
/* One line a column, however long: scripts/columns-table.sh reads it. */
/* clang-format off */
CB_COL(strategy, s, "the strategy (`concbench list`)")
CB_COL(workload, s, "sleep or http")
CB_COL(n, u, "number of tasks")
CB_COL(max_in_flight, u, "0: all tasks at once; W: a pool of W")
CB_COL(duration_s, f, "sleep: D per task; http: server latency L (empty for an external URL)")
CB_COL(target, s, "http: test-server (started by the harness) or the URL; sleep: empty")
CB_COL(server, s, "http: the server model (event, blocking:W, prefork:W, flask:W, fastapi) or external; sleep: empty")
CB_COL(rep, u, "repetition, from 1")
CB_COL(status, s, "ok, errors, limit, timeout, crashed, skipped, failed, interrupted")
CB_COL(wall_s, f, "wall time of the work, inside the measured process (around run(), or the program's own t0..t1)")
CB_COL(startup_s, f, "from fork to the start of the work: exec, loading, set-up")
CB_COL(user_s, f, "user CPU over the same span as wall_s, children included once reaped")
CB_COL(sys_s, f, "system CPU over the same span as wall_s, children included once reaped")
CB_COL(proc_cpu_s, f, "user + system CPU of the whole process tree, start-up included (wait4)")
CB_COL(mem_kb, u, "whole run's concurrent peak, user + kernel, every process of the run (see mem_method)")
CB_COL(mem_user_kb, u, "user pages (anon + file) at the sample nearest the peak")
CB_COL(mem_kernel_kb, u, "kernel memory charged to the run at the sample nearest the peak")
CB_COL(mem_kstack_kb, u, "kernel stacks at that sample (cgroup2 only; empty where not reported)")
CB_COL(mem_pagetables_kb, u, "page tables at that sample (cgroup2 only)")
CB_COL(mem_slab_kb, u, "slab at that sample (cgroup2; cgroup1 from memory.kmem.slabinfo)")
CB_COL(mem_sock_kb, u, "socket buffers at that sample (cgroup2 sock; cgroup1 memory.kmem.tcp)")
CB_COL(mem_method, s, "cgroup2, cgroup1, or proc (VmHWM + system-wide kernel rise; the note says why)")
CB_COL(baseline_kb, u, "the run's memory once set up, before any task started (same method as mem_kb)")
CB_COL(mem_per_task_b, f, "(mem_kb - baseline_kb) * 1024 / started")
CB_COL(peak_rss_kb, u, "peak RSS of the measured process alone, all threads (VmHWM), for comparison")
CB_COL(vcsw, u, "voluntary context switches (wait4)")
CB_COL(ivcsw, u, "involuntary context switches (wait4)")
CB_COL(minflt, u, "minor page faults (wait4)")
CB_COL(lat_p50_s, f, "per-task latency (finish - start) of the tasks that succeeded: median")
CB_COL(lat_p90_s, f, "per-task latency: 90th percentile")
CB_COL(lat_p99_s, f, "per-task latency: 99th percentile")
CB_COL(lat_p999_s, f, "per-task latency: 99.9th percentile")
CB_COL(lat_max_s, f, "per-task latency: maximum")
CB_COL(fin_p50_s, f, "median finish time of the tasks that succeeded, from the start of the work")
CB_COL(fin_p99_s, f, "99th percentile finish time, from the start of the work")
CB_COL(fin_max_s, f, "last finish time, from the start of the work")
CB_COL(last_start_s, f, "when the last task started, from the start of the work")
CB_COL(started, u, "tasks started")
CB_COL(completed, u, "tasks that finished and passed verification")
CB_COL(errors, u, "tasks that failed (n - completed)")
CB_COL(error_kinds, s, "kind=count list, e.g. spawn=7232 timeout=3")
CB_COL(checked, s, "what verification covered: index+wait (sleep); status+length[+checksum|+sha256|+bytes] (http)")
CB_COL(policy, s, "what the strategy chose: stack size, pool, stack policy")
CB_COL(note, s, "why: the limit that bound, the skip reason, the signal")
/* clang-format on */
#undef CB_COL
