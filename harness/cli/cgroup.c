/* cgroup.c: a memory cgroup per measured run. See cgroup.h. */
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Where this process's memory cgroup is: its directory and hierarchy. */
struct cg_home {
    int version;
    char dir[PATH_MAX];
};

/* The mount point of the v1 memory hierarchy or of cgroup2, and the root
 * of that mount within the hierarchy (not "/" inside some containers). */
static int find_mount(int version, char *mnt, size_t mlen, char *root, size_t rlen)
{
    FILE *f = fopen("/proc/self/mountinfo", "re");
    char line[4096];
    int found = 0;
    while (f && !found && fgets(line, sizeof line, f)) {
        char r[PATH_MAX], m[PATH_MAX], type[64], opts[1024];
        /* id parent major:minor root mount-point options ... - type source super-options */
        const char *dash = strstr(line, " - ");
        if (!dash || sscanf(line, "%*s %*s %*s %4095s %4095s", r, m) != 2 ||
            sscanf(dash + 3, "%63s %*s %1023s", type, opts) != 2)
            continue;
        if (version == 2 && strcmp(type, "cgroup2") == 0)
            found = 1;
        if (version == 1 && strcmp(type, "cgroup") == 0) {
            for (char *o = strtok(opts, ","); o && !found; o = strtok(NULL, ","))
                found = strcmp(o, "memory") == 0;
        }
        if (found) {
            snprintf(mnt, mlen, "%s", m);
            snprintf(root, rlen, "%s", r);
        }
    }
    if (f)
        fclose(f);
    return found ? 0 : -ENOENT;
}

/* This process's memory cgroup: v1 when a memory hierarchy is mounted and
 * /proc/self/cgroup names it, else v2 when the unified hierarchy offers
 * the memory controller. */
static int find_home(struct cg_home *h, char *why, size_t len)
{
    FILE *f = fopen("/proc/self/cgroup", "re");
    char line[4096], v1[PATH_MAX] = "", v2[PATH_MAX] = "";
    int have1 = 0, have2 = 0;
    while (f && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2)
            continue;
        *c2 = '\0';
        const char *ctrls = c1 + 1, *path = c2 + 1;
        if (!*ctrls && strncmp(line, "0", 1) == 0)
            have2 = 1, snprintf(v2, sizeof v2, "%s", path);
        for (const char *p = ctrls; (p = strstr(p, "memory")); p += 6)
            if ((p == ctrls || p[-1] == ',') && (p[6] == '\0' || p[6] == ','))
                have1 = 1, snprintf(v1, sizeof v1, "%s", path);
    }
    if (f)
        fclose(f);
    char mnt[PATH_MAX], root[PATH_MAX];
    const char *path = NULL;
    if (have1 && find_mount(1, mnt, sizeof mnt, root, sizeof root) == 0)
        h->version = 1, path = v1;
    else if (have2 && find_mount(2, mnt, sizeof mnt, root, sizeof root) == 0)
        h->version = 2, path = v2;
    if (!path) {
        snprintf(why, len,
                 "no memory cgroup is mounted (neither a v1 memory hierarchy nor cgroup2)");
        return -ENOENT;
    }
    size_t rl = strlen(root);
    if (strcmp(root, "/") != 0 && strncmp(path, root, rl) == 0)
        path += rl;
    snprintf(h->dir, sizeof h->dir, "%s%s", mnt, strcmp(path, "/") == 0 ? "" : path);
    return 0;
}

static int write_file(const char *dir, const char *file, const char *text)
{
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/%s", dir, file);
    int fd = open(p, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t w = write(fd, text, strlen(text));
    int err = w < 0 ? errno : 0;
    close(fd);
    return w < 0 ? -err : 0;
}

static int has_word(const char *dir, const char *file, const char *word)
{
    char p[PATH_MAX + 64], buf[512];
    snprintf(p, sizeof p, "%s/%s", dir, file);
    FILE *f = fopen(p, "re");
    int found = 0;
    while (f && !found && fscanf(f, "%511s", buf) == 1)
        found = strcmp(buf, word) == 0;
    if (f)
        fclose(f);
    return found;
}

/*
 * cgroup v2 lets only leaves hold processes once a cgroup enables a
 * controller for its children. So if the memory controller is not yet on
 * in our cgroup's subtree_control, move ourselves into a leaf of our own
 * ("concbench-harness-PID") and turn it on. Fails (EBUSY) when other
 * processes share our cgroup: then a delegated cgroup is the way.
 */
static int v2_enable_memory(const char *dir, char *why, size_t len)
{
    if (has_word(dir, "cgroup.subtree_control", "memory"))
        return 0;
    if (!has_word(dir, "cgroup.controllers", "memory")) {
        snprintf(why, len, "%s offers no memory controller to its children (cgroup.controllers)",
                 dir);
        return -ENOTSUP;
    }
    char leaf[PATH_MAX + 64];
    snprintf(leaf, sizeof leaf, "%s/concbench-harness-%d", dir, (int)getpid());
    int rc = 0;
    if (mkdir(leaf, 0755) < 0 && errno != EEXIST)
        rc = -errno;
    if (!rc)
        rc = write_file(leaf, "cgroup.procs", "0");
    if (!rc)
        rc = write_file(dir, "cgroup.subtree_control", "+memory");
    if (rc)
        snprintf(why, len,
                 "cannot enable the memory controller under %s (%s): run concbench in a "
                 "delegated cgroup, e.g. systemd-run --user --scope -p Delegate=yes "
                 "build/concbench ...",
                 dir, strerror(-rc));
    return rc;
}

static int open_in(const char *dir, const char *file, int flags)
{
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/%s", dir, file);
    return open(p, flags | O_CLOEXEC);
}

int cb_cgroup_create(struct cb_cgroup *cg, const char *name, char *why, size_t len)
{
    struct cg_home h;
    *cg = (struct cb_cgroup){.fd_procs = -1, .fd_usage = -1, .fd_kmem = -1, .fd_tcp = -1};
    int rc = find_home(&h, why, len);
    if (rc)
        return rc;
    if (h.version == 2 && (rc = v2_enable_memory(h.dir, why, len)))
        return rc;
    if ((size_t)snprintf(cg->path, sizeof cg->path, "%s/%s", h.dir, name) >= sizeof cg->path) {
        snprintf(why, len, "the cgroup path under %.100s is too long", h.dir);
        return -ENAMETOOLONG;
    }
    if (mkdir(cg->path, 0755) < 0) {
        rc = -errno;
        snprintf(why, len,
                 "cannot create %s (%s): run as root, or in a delegated cgroup "
                 "(systemd-run --user --scope -p Delegate=yes build/concbench ...)",
                 cg->path, strerror(errno));
        return rc;
    }
    cg->version = h.version;
    cg->fd_procs = open_in(cg->path, "cgroup.procs", O_WRONLY);
    if (h.version == 1) {
        cg->fd_usage = open_in(cg->path, "memory.usage_in_bytes", O_RDONLY);
        cg->fd_kmem = open_in(cg->path, "memory.kmem.usage_in_bytes", O_RDONLY);
        /* v1 charges socket buffers only once a TCP limit has been written
         * (memcg->tcpmem_active); "no limit" turns the accounting on. */
        if (write_file(cg->path, "memory.kmem.tcp.limit_in_bytes", "-1") == 0)
            cg->fd_tcp = open_in(cg->path, "memory.kmem.tcp.usage_in_bytes", O_RDONLY);
    } else {
        cg->fd_usage = open_in(cg->path, "memory.current", O_RDONLY);
        cg->fd_kmem = open_in(cg->path, "memory.stat", O_RDONLY);
    }
    if (cg->fd_procs < 0 || cg->fd_usage < 0) {
        rc = -errno;
        snprintf(why, len, "cannot open the files of %s: %s", cg->path, strerror(errno));
        cb_cgroup_destroy(cg);
        return rc;
    }
    return 0;
}

int cb_cgroup_enter(const struct cb_cgroup *cg)
{
    /* "0" is the writing process itself, in both hierarchies. */
    return write(cg->fd_procs, "0", 1) == 1 ? 0 : -errno;
}

/* A number file read from the start: pread, so the descriptor stays open
 * and a sample costs one system call. */
static uint64_t read_u64(int fd)
{
    char buf[32];
    ssize_t n = fd < 0 ? -1 : pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0)
        return CB_KB_NA;
    buf[n] = '\0';
    return strtoull(buf, NULL, 10);
}

static uint64_t kb(uint64_t bytes)
{
    return bytes == CB_KB_NA ? CB_KB_NA : bytes / 1024;
}

/* v2 memory.stat: the parts we show. */
static void read_v2_stat(int fd, struct cb_mem_sample *s)
{
    char buf[8192];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0)
        return;
    buf[n] = '\0';
    uint64_t anon = 0, file = 0;
    for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n")) {
        char key[64];
        unsigned long long v;
        if (sscanf(l, "%63s %llu", key, &v) != 2)
            continue;
        if (!strcmp(key, "anon"))
            anon = v;
        else if (!strcmp(key, "file"))
            file = v;
        else if (!strcmp(key, "kernel_stack"))
            s->kstack_kb = v / 1024;
        else if (!strcmp(key, "pagetables"))
            s->pagetables_kb = v / 1024;
        else if (!strcmp(key, "slab"))
            s->slab_kb = v / 1024;
        else if (!strcmp(key, "sock"))
            s->sock_kb = v / 1024;
    }
    s->user_kb = (anon + file) / 1024;
}

int cb_cgroup_sample(struct cb_cgroup *cg, struct cb_mem_sample *s)
{
    *s = (struct cb_mem_sample){CB_KB_NA, CB_KB_NA, CB_KB_NA, CB_KB_NA,
                                CB_KB_NA, CB_KB_NA, CB_KB_NA};
    if (!cg->version)
        return -ENOENT;
    uint64_t usage = read_u64(cg->fd_usage);
    if (usage == CB_KB_NA)
        return -EIO;
    if (cg->version == 1) {
        /* v1: usage counts user and kernel pages (kmem is charged to it);
         * the TCP counter is a separate one. */
        uint64_t kmem = read_u64(cg->fd_kmem), tcp = read_u64(cg->fd_tcp);
        s->sock_kb = kb(tcp);
        s->total_kb = (usage + (tcp == CB_KB_NA ? 0 : tcp)) / 1024;
        if (kmem != CB_KB_NA) {
            s->user_kb = (usage - (kmem < usage ? kmem : usage)) / 1024;
            s->kernel_kb = s->total_kb - s->user_kb;
        }
    } else {
        s->total_kb = usage / 1024;
        read_v2_stat(cg->fd_kmem, s);
        if (s->user_kb != CB_KB_NA)
            s->kernel_kb = s->total_kb > s->user_kb ? s->total_kb - s->user_kb : 0;
    }
    if (cg->peak.total_kb == 0 || cg->peak.total_kb == CB_KB_NA || s->total_kb > cg->peak.total_kb)
        cg->peak = *s;
    return 0;
}

uint64_t cb_cgroup_peak_kb(struct cb_cgroup *cg)
{
    uint64_t peak = CB_KB_NA;
    if (cg->version == 1) {
        int fd = open_in(cg->path, "memory.max_usage_in_bytes", O_RDONLY);
        int ft = open_in(cg->path, "memory.kmem.tcp.max_usage_in_bytes", O_RDONLY);
        uint64_t m = read_u64(fd), t = cg->fd_tcp >= 0 ? read_u64(ft) : 0;
        if (m != CB_KB_NA)
            peak = (m + (t == CB_KB_NA ? 0 : t)) / 1024;
        if (fd >= 0)
            close(fd);
        if (ft >= 0)
            close(ft);
    } else if (cg->version == 2) {
        int fd = open_in(cg->path, "memory.peak", O_RDONLY);
        peak = kb(read_u64(fd));
        if (fd >= 0)
            close(fd);
    }
    /* A kernel without a peak file (v2 before 5.19): the highest sample. */
    if (peak == CB_KB_NA || (cg->peak.total_kb != CB_KB_NA && cg->peak.total_kb > peak))
        peak = cg->peak.total_kb;
    return peak;
}

/* The pids in cgroup.procs; returns how many, at most max. */
static size_t list_procs(const char *dir, pid_t *pids, size_t max)
{
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/cgroup.procs", dir);
    FILE *f = fopen(p, "re");
    size_t n = 0;
    long v;
    while (f && n < max && fscanf(f, "%ld", &v) == 1)
        pids[n++] = (pid_t)v;
    if (f)
        fclose(f);
    return n;
}

static int kill_dir(const char *dir, int version)
{
    pid_t pids[256];
    size_t first = list_procs(dir, pids, 256);
    if (version == 2)
        write_file(dir, "cgroup.kill", "1");
    /* v1 has no cgroup.kill: kill what is listed and look again, since a
     * process may fork while we kill (bounded: 2 s). */
    for (int round = 0; round < 200; round++) {
        size_t n = list_procs(dir, pids, 256);
        if (!n)
            break;
        for (size_t i = 0; i < n; i++)
            kill(pids[i], SIGKILL);
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    return (int)first;
}

int cb_cgroup_kill(struct cb_cgroup *cg)
{
    return cg->version ? kill_dir(cg->path, cg->version) : 0;
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

void cb_cgroup_destroy(struct cb_cgroup *cg)
{
    close_fd(&cg->fd_procs);
    close_fd(&cg->fd_usage);
    close_fd(&cg->fd_kmem);
    close_fd(&cg->fd_tcp);
    if (cg->version) {
        kill_dir(cg->path, cg->version);
        /* A zombie not yet reaped by its parent still counts for a moment. */
        for (int i = 0; i < 100 && rmdir(cg->path) < 0 && errno == EBUSY; i++)
            nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    cg->version = 0;
}

void cb_cgroup_sweep_stale(void)
{
    struct cg_home h;
    char why[256];
    if (find_home(&h, why, sizeof why))
        return;
    DIR *d = opendir(h.dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        int pid;
        if (sscanf(e->d_name, "concbench-%d-", &pid) != 1 &&
            sscanf(e->d_name, "concbench-harness-%d", &pid) != 1)
            continue;
        if (pid == getpid() || kill(pid, 0) == 0 || errno != ESRCH)
            continue;
        char p[PATH_MAX + 300];
        snprintf(p, sizeof p, "%s/%s", h.dir, e->d_name);
        kill_dir(p, h.version);
        rmdir(p);
    }
    if (d)
        closedir(d);
}
