/* cb_limits.c: name the limit that refused a thread, a process or an fd. */
#include "cb_limits.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

long long cb_read_ll(const char *path)
{
    FILE *f = fopen(path, "re");
    long long v = -1;
    if (!f)
        return -1;
    if (fscanf(f, "%lld", &v) != 1)
        v = -1;
    fclose(f);
    return v;
}

long long cb_proc_field(const char *path, const char *key)
{
    FILE *f = fopen(path, "re");
    char line[256];
    long long v = -1;
    size_t klen = strlen(key);
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, key, klen) == 0 && sscanf(line + klen, "%lld", &v) == 1)
            break;
    if (f)
        fclose(f);
    return v;
}

/* Scheduling entities (threads) that exist system-wide: the denominator of
 * /proc/loadavg's fourth field. */
static long long tasks_now(void)
{
    FILE *f = fopen("/proc/loadavg", "re");
    long long total = -1;
    if (!f)
        return -1;
    if (fscanf(f, "%*s %*s %*s %*d/%lld", &total) != 1)
        total = -1;
    fclose(f);
    return total;
}

long long cb_count_lines(const char *path)
{
    FILE *f = fopen(path, "re");
    long long n = 0;
    int c;
    if (!f)
        return -1;
    while ((c = getc_unlocked(f)) != EOF)
        n += c == '\n';
    fclose(f);
    return n;
}

static long long count_dir(const char *path)
{
    DIR *d = opendir(path);
    long long n = 0;
    if (!d)
        return -1;
    while (readdir(d))
        n++;
    closedir(d);
    return n - 2; /* . and .. */
}

struct candidate {
    const char *name;
    long long limit, used;
    const char *unit;
};

void cb_limit_explain(const char *what, int err, size_t started, char *buf, size_t len)
{
    struct rlimit nproc = {0}, nofile = {0};
    getrlimit(RLIMIT_NPROC, &nproc);
    getrlimit(RLIMIT_NOFILE, &nofile);
    long long tasks = tasks_now();
    struct candidate c[] = {
        {"pid_max", cb_read_ll("/proc/sys/kernel/pid_max"), tasks, "tasks exist"},
        {"threads-max", cb_read_ll("/proc/sys/kernel/threads-max"), tasks, "tasks exist"},
        {"vm.max_map_count", cb_read_ll("/proc/sys/vm/max_map_count"),
         cb_count_lines("/proc/self/maps"), "maps in this process"},
        {"cgroup pids.max", cb_read_ll("/sys/fs/cgroup/pids.max"),
         cb_read_ll("/sys/fs/cgroup/pids.current"), "pids in the cgroup"},
        {"RLIMIT_NOFILE", nofile.rlim_cur == RLIM_INFINITY ? -1 : (long long)nofile.rlim_cur,
         count_dir("/proc/self/fd"), "fds open"},
        /* RLIMIT_NPROC does not bind root (CAP_SYS_RESOURCE); it is named
         * only when nothing else is near its ceiling. */
        {"RLIMIT_NPROC", nproc.rlim_cur == RLIM_INFINITY ? -1 : (long long)nproc.rlim_cur, -1,
         "per-user processes"},
    };
    size_t best = (size_t)-1;
    double best_ratio = 0.0;
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        if (c[i].limit <= 0 || c[i].used < 0)
            continue;
        double r = (double)c[i].used / (double)c[i].limit;
        if (r > best_ratio) {
            best_ratio = r;
            best = i;
        }
    }
    int off = snprintf(buf, len, "%s: %s after %zu started", what,
                       strerrorname_np(err) ? strerrorname_np(err) : "?", started);
    if (off < 0 || (size_t)off >= len)
        return;
    if (best != (size_t)-1 && best_ratio > 0.9)
        snprintf(buf + off, len - (size_t)off, "; binding limit %s=%lld (%lld %s)", c[best].name,
                 c[best].limit, c[best].used, c[best].unit);
    else if (err == ENOMEM)
        snprintf(buf + off, len - (size_t)off, "; out of memory (no count limit near its ceiling)");
    else
        snprintf(buf + off, len - (size_t)off,
                 "; no counted limit near its ceiling (RLIMIT_NPROC=%lld, tasks=%lld)",
                 nproc.rlim_cur == RLIM_INFINITY ? -1LL : (long long)nproc.rlim_cur, tasks);
}

long long cb_raise_nofile(void)
{
    struct rlimit r;
    if (getrlimit(RLIMIT_NOFILE, &r) != 0)
        return -1;
    if (r.rlim_cur < r.rlim_max) {
        r.rlim_cur = r.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &r) != 0)
            getrlimit(RLIMIT_NOFILE, &r);
    }
    return r.rlim_cur == RLIM_INFINITY ? -1 : (long long)r.rlim_cur;
}
