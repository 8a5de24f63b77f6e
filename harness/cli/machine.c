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
#include "cb_version.h"

static char command_line[4096];

void cb_machine_set_command(const char *command)
{
    /* A record line, not the data: a command longer than this is cut, and
     * says so. */
    size_t len = strlen(command);
    if (len < sizeof command_line)
        memcpy(command_line, command, len + 1);
    else
        snprintf(command_line, sizeof command_line, "%.*s... (%zu bytes)",
                 (int)sizeof command_line - 64, command, len);
}

/* SMT: the kernel's switch, and how many hardware threads share a core. */
static void put_smt(FILE *f)
{
    char control[32] = "unknown", sib[64] = "";
    FILE *in = fopen("/sys/devices/system/cpu/smt/control", "re");
    if (in) {
        if (fscanf(in, "%31s", control) != 1)
            snprintf(control, sizeof control, "unknown");
        fclose(in);
    }
    long long active = cb_read_ll("/sys/devices/system/cpu/smt/active");
    in = fopen("/sys/devices/system/cpu/cpu0/topology/thread_siblings_list", "re");
    if (in) {
        if (!fgets(sib, sizeof sib, in))
            sib[0] = '\0';
        sib[strcspn(sib, "\n")] = '\0';
        fclose(in);
    }
    fprintf(f, "smt: control=%s active=%lld cpu0_siblings=%s\n", control, active,
            sib[0] ? sib : "unknown");
}

static void put_governor(FILE *f)
{
    FILE *in = fopen("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "re");
    char g[64];
    if (in && fscanf(in, "%63s", g) == 1)
        fprintf(f, "cpu_governor: %s\n", g);
    else
        fprintf(f, "cpu_governor: none (no cpufreq: a VM or a fixed clock)\n");
    if (in)
        fclose(in);
}

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
    fprintf(f, "concbench: %s\n", CB_VERSION);
    if (command_line[0])
        fprintf(f, "command: %s\n", command_line);
    put_first_line(f, "cpu", "/proc/cpuinfo", "model name");
    fprintf(f, "cores: %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
    put_smt(f);
    put_governor(f);
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
    fprintf(f, "memory_method: see each row's mem_method column (cgroup2, cgroup1 or proc)\n");
    return fflush(f) == 0 && !ferror(f) ? 0 : -EIO;
}
