/* machine.c: what machine produced a results file. */
#include "machine.h"
#include "cb_limits.h"

#include <curl/curl.h>
#include <errno.h>
#include <gnu/libc-version.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#ifndef CB_CFLAGS
#define CB_CFLAGS "unknown"
#endif

static void put_first_line(FILE *f, const char *key, const char *path, const char *prefix)
{
    FILE *in = fopen(path, "re");
    char line[512];
    if (!in)
        return;
    while (fgets(line, sizeof line, in)) {
        if (prefix && strncmp(line, prefix, strlen(prefix)) != 0)
            continue;
        char *v = prefix ? strchr(line, ':') : line;
        if (!v)
            continue;
        v += prefix ? 1 : 0;
        v += strspn(v, " \t");
        v[strcspn(v, "\n")] = '\0';
        fprintf(f, "%s: %s\n", key, v);
        break;
    }
    fclose(in);
}

/* The first `words` whitespace-separated words of a file, space-separated. */
static void put_words(FILE *f, const char *key, const char *path, int words)
{
    FILE *in = fopen(path, "re");
    char w[64];
    if (!in)
        return;
    fprintf(f, "%s:", key);
    for (int i = 0; i < words && fscanf(in, "%63s", w) == 1; i++)
        fprintf(f, " %s", w);
    fputc('\n', f);
    fclose(in);
}

static void put_rlimit(FILE *f, const char *key, int res)
{
    struct rlimit r;
    if (getrlimit(res, &r))
        return;
    fprintf(f, "%s: soft=", key);
    r.rlim_cur == RLIM_INFINITY ? fputs("unlimited", f)
                                : fprintf(f, "%llu", (unsigned long long)r.rlim_cur);
    fputs(" hard=", f);
    r.rlim_max == RLIM_INFINITY ? fputs("unlimited", f)
                                : fprintf(f, "%llu", (unsigned long long)r.rlim_max);
    fputc('\n', f);
}

int cb_machine_write(FILE *f)
{
    struct utsname u;
    char date[64];
    time_t now = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    fprintf(f, "date_utc: %s\n", date);
    put_first_line(f, "cpu", "/proc/cpuinfo", "model name");
    fprintf(f, "cores: %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
    fprintf(f, "memtotal_kb: %lld\n", cb_proc_field("/proc/meminfo", "MemTotal:"));
    if (uname(&u) == 0)
        fprintf(f, "kernel: %s %s %s\n", u.sysname, u.release, u.machine);
    fprintf(f, "compiler: gcc %s\n", __VERSION__);
    fprintf(f, "cflags: %s\n", CB_CFLAGS);
    fprintf(f, "libc: glibc %s\n", gnu_get_libc_version());
    fprintf(f, "libcurl: %s\n", curl_version());
    fprintf(f, "pid_max: %lld\n", cb_read_ll("/proc/sys/kernel/pid_max"));
    fprintf(f, "threads_max: %lld\n", cb_read_ll("/proc/sys/kernel/threads-max"));
    fprintf(f, "max_map_count: %lld\n", cb_read_ll("/proc/sys/vm/max_map_count"));
    fprintf(f, "somaxconn: %lld\n", cb_read_ll("/proc/sys/net/core/somaxconn"));
    put_words(f, "port_range", "/proc/sys/net/ipv4/ip_local_port_range", 2);
    put_first_line(f, "cgroup_pids_max", "/sys/fs/cgroup/pids.max", NULL);
    put_rlimit(f, "rlimit_nofile", RLIMIT_NOFILE);
    put_rlimit(f, "rlimit_nproc", RLIMIT_NPROC);
    put_rlimit(f, "rlimit_stack", RLIMIT_STACK);
    put_words(f, "loadavg", "/proc/loadavg", 3); /* 1, 5, 15 minutes */
    fprintf(f, "memory_method: mem_kb = peak RSS of the measured process (VmHWM, all "
               "threads) + sum of forked children's USS (Private_Clean+Private_Dirty from "
               "smaps_rollup at exit); kernel_kb = peak rise of KernelStack+PageTables in "
               "/proc/meminfo, sampled every 20 ms, system-wide\n");
    return fflush(f) == 0 && !ferror(f) ? 0 : -EIO;
}
