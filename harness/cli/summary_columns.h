/*
 * summary_columns.h: the columns of a summary CSV (`concbench summarize`),
 * in order, once. The writer, the header and the README's table come from
 * this list, as columns.h is the one list of a runs CSV.
 *
 * CB_SCOL(name, how, source, format, meaning)
 *   how     KEY      copied from the configuration's first row
 *           REPS     repetitions in the configuration
 *           OK_REPS  repetitions whose status is ok
 *           STATUS   ok, or the status of the first repetition that was not
 *           MED/MIN/MAX  median, min, max of the runs column `source` over the
 *                    ok repetitions (over all of them when none was ok)
 *           NOISY    1 when wall_max_s > CB_NOISE_RATIO x wall_min_s
 *           CPU      median of user_s + sys_s
 *           SHOWN    the string column `source` of the first repetition that
 *                    was not ok (of the first one when all were ok)
 *   format  printf format of a number ("%.6f" seconds, "%.0f" kB and counts)
 * One entry a line, the meaning its last string: scripts/columns-table.sh
 * reads the README table from it.
 */
/* clang-format off */
CB_SCOL(strategy, KEY, strategy, "", "the strategy")
CB_SCOL(workload, KEY, workload, "", "the workload: sleep or http")
CB_SCOL(n, KEY, n, "", "number of tasks N")
CB_SCOL(max_in_flight, KEY, max_in_flight, "", "0: all at once; W: at most W in flight")
CB_SCOL(duration_s, KEY, duration_s, "", "sleep: D; http: server latency L (empty for a URL)")
CB_SCOL(target, KEY, target, "", "http: test-server or the URL")
CB_SCOL(server, KEY, server, "", "http: the server model or external")
CB_SCOL(reps, REPS, rep, "", "repetitions of this configuration")
CB_SCOL(ok_reps, OK_REPS, rep, "", "repetitions whose status is ok")
CB_SCOL(status, STATUS, status, "", "ok, or the status of the first repetition that was not ok")
CB_SCOL(wall_med_s, MED, wall_s, "%.6f", "median wall time (over the ok repetitions, when any)")
CB_SCOL(wall_min_s, MIN, wall_s, "%.6f", "fastest repetition")
CB_SCOL(wall_max_s, MAX, wall_s, "%.6f", "slowest repetition")
CB_SCOL(noisy, NOISY, wall_s, "", "1 when the slowest repetition took more than 1.25 x the fastest")
CB_SCOL(cpu_med_s, CPU, user_s, "%.6f", "median of user_s + sys_s")
CB_SCOL(user_med_s, MED, user_s, "%.6f", "median user CPU")
CB_SCOL(sys_med_s, MED, sys_s, "%.6f", "median system CPU")
CB_SCOL(proc_cpu_med_s, MED, proc_cpu_s, "%.6f", "median CPU of the whole process tree")
CB_SCOL(mem_med_kb, MED, mem_kb, "%.0f", "median whole-run memory peak")
CB_SCOL(mem_user_med_kb, MED, mem_user_kb, "%.0f", "median user pages at the peak")
CB_SCOL(mem_kernel_med_kb, MED, mem_kernel_kb, "%.0f", "median kernel memory at the peak")
CB_SCOL(mem_kstack_med_kb, MED, mem_kstack_kb, "%.0f", "median kernel stacks at the peak")
CB_SCOL(mem_pagetables_med_kb, MED, mem_pagetables_kb, "%.0f", "median page tables at the peak")
CB_SCOL(mem_slab_med_kb, MED, mem_slab_kb, "%.0f", "median slab at the peak")
CB_SCOL(mem_sock_med_kb, MED, mem_sock_kb, "%.0f", "median socket buffers at the peak")
CB_SCOL(baseline_med_kb, MED, baseline_kb, "%.0f", "median memory before the first task")
CB_SCOL(mem_per_task_med_b, MED, mem_per_task_b, "%.1f", "median memory per task started")
CB_SCOL(peak_rss_med_kb, MED, peak_rss_kb, "%.0f", "median VmHWM of the measured process")
CB_SCOL(lat_p50_med_s, MED, lat_p50_s, "%.6f", "median of the runs' per-task latency p50")
CB_SCOL(lat_p90_med_s, MED, lat_p90_s, "%.6f", "median of the runs' latency p90")
CB_SCOL(lat_p99_med_s, MED, lat_p99_s, "%.6f", "median of the runs' latency p99")
CB_SCOL(lat_p999_med_s, MED, lat_p999_s, "%.6f", "median of the runs' latency p99.9")
CB_SCOL(lat_max_med_s, MED, lat_max_s, "%.6f", "median of the runs' latency maximum")
CB_SCOL(fin_p50_med_s, MED, fin_p50_s, "%.6f", "median of the runs' finish-time p50")
CB_SCOL(fin_p99_med_s, MED, fin_p99_s, "%.6f", "median of the runs' finish-time p99")
CB_SCOL(fin_max_med_s, MED, fin_max_s, "%.6f", "median of the runs' last finish time")
CB_SCOL(last_start_med_s, MED, last_start_s, "%.6f", "median time until the last task started")
CB_SCOL(errors_med, MED, errors, "%.0f", "median failed tasks")
CB_SCOL(mem_method, SHOWN, mem_method, "", "how memory was measured: cgroup2, cgroup1 or proc")
CB_SCOL(checked, SHOWN, checked, "", "what verification covered")
CB_SCOL(error_kinds, SHOWN, error_kinds, "", "kind=count of the repetition shown")
CB_SCOL(policy, SHOWN, policy, "", "what the strategy chose")
CB_SCOL(note, SHOWN, note, "", "why: the limit, the skip reason, the first failure")
/* clang-format on */
#undef CB_SCOL
