/* measure.c: one run in a fresh process, its whole cost measured. See
 * measure.h. */
#include "measure.h"
#include "cb_limits.h"
#include "cgroup.h"
#include "child.h"
#include "outcome.h"
#include "proc.h"
#include "work.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define SAMPLE_MS   20 /* memory sampling period */
#define TICK_NS     250000000u
#define STDERR_KEEP 2048

uint64_t cb_expected_ns(const struct cb_strategy *s, const struct cb_workload *w,
                        uint64_t per_task_ns, uint64_t server_workers)
{
    uint64_t conc = w->max_in_flight ? w->max_in_flight : w->n;
    if (s->flags & CB_ONE_AT_A_TIME)
        conc = 1;
    if (server_workers && server_workers < conc)
        conc = server_workers;
    if (!conc)
        return 0;
    uint64_t rounds = (w->n + conc - 1) / conc;
    return per_task_ns && rounds > UINT64_MAX / per_task_ns ? UINT64_MAX : rounds * per_task_ns;
}

/* Everything one run in progress holds. */
struct run {
    const struct cb_spec *spec;
    int external;
    pid_t pid;
    int ctl; /* harness -> run: spec, go */
    int res; /* run -> harness: ready, results */
    int err; /* external: its stderr */
    struct cb_cgroup cg;
    char cg_why[CB_STR_MAX];
    uint64_t t_fork, deadline, next_tick;
    /* what arrived */
    char *buf;
    size_t len, cap, scanned;
    char errtail[STDERR_KEEP + 1];
    size_t errlen;
    /* what happened */
    int ready, timed_out, signal;
    uint64_t baseline_kb, proc_kernel0, proc_kernel_peak;
    int ext_cpu0_ok, ext_cpu1_ok;
    uint64_t ext_user0, ext_sys0, ext_user1, ext_sys1, ext_hwm_kb;
    int ext_end_seen;
};

/* --- /proc, for the fallback and for external programs ------------------ */

/* KernelStack + PageTables + SUnreclaim from /proc/meminfo, in kB: the
 * kernel memory a run adds, system-wide (the proc method only). One read
 * of the file: this runs every 20 ms beside the measured work. */
static uint64_t meminfo_kernel_kb(void)
{
    char buf[8192];
    int fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
    if (fd >= 0)
        close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    static const char *const keys[] = {"KernelStack:", "PageTables:", "SUnreclaim:"};
    uint64_t sum = 0;
    for (size_t i = 0; i < 3; i++) {
        const char *k = strstr(buf, keys[i]);
        sum += k ? strtoull(k + strlen(keys[i]), NULL, 10) : 0;
    }
    return sum;
}

/* User (utime + cutime) and system (stime + cstime) CPU of pid in ns,
 * children reaped included, as wait4 would count them; at clock-tick
 * resolution (10 ms). 0, or -1 when /proc cannot tell. */
static int proc_cpu_ns(pid_t pid, uint64_t *user, uint64_t *sys)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "re");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f)
        fclose(f);
    buf[n] = '\0';
    /* Fields after the command name, which may hold spaces: from ")". */
    char *p = strrchr(buf, ')');
    unsigned long long ut, st, cut, cst;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %llu %llu", &ut,
                     &st, &cut, &cst) != 4)
        return -1;
    long hz = sysconf(_SC_CLK_TCK);
    uint64_t tick = 1000000000u / (uint64_t)(hz > 0 ? hz : 100);
    *user = (ut + cut) * tick;
    *sys = (st + cst) * tick;
    return 0;
}

static uint64_t proc_hwm_kb(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    long long v = cb_proc_field(path, "VmHWM:");
    return v < 0 ? CB_NA : (uint64_t)v;
}

/* --- rows that need no run ---------------------------------------------- */

static void fill_spec(const struct cb_spec *spec, struct cb_row *row)
{
    cb_row_init(row);
    snprintf(row->strategy, sizeof row->strategy, "%s", spec->strategy->name);
    snprintf(row->workload, sizeof row->workload, "%s", cb_wl(&spec->w)->name);
    row->n = spec->w.n;
    row->max_in_flight = spec->w.max_in_flight;
    row->duration_s = spec->duration_s;
    if (cb_wl(&spec->w)->target) {
        snprintf(row->target, sizeof row->target, "%s", spec->target ? spec->target : spec->w.url);
        snprintf(row->server, sizeof row->server, "%s", spec->server ? spec->server : "");
    }
}

/* A skipped row when the strategy cannot run this spec here. 1 if so. */
static int cannot_run(const struct cb_spec *spec, struct cb_row *row)
{
    const struct cb_strategy *s = spec->strategy;
    char why[CB_STR_MAX];
    if (!cb_strategy_does(s, spec->w.kind)) {
        snprintf(why, sizeof why, "%s does not implement the %s workload", s->name,
                 cb_wl(&spec->w)->name);
    } else if (!cb_strategy_available(s, why, sizeof why)) {
        /* why says what is missing */
    } else {
        return 0;
    }
    snprintf(row->status, sizeof row->status, "skipped");
    snprintf(row->note, sizeof row->note, "%s", why);
    return 1;
}

/* --- starting the run ----------------------------------------------------- */

/* In the child before exec: into the run's cgroup, so the harness and
 * its result buffer stay outside. */
static int join_cgroup(void *cg)
{
    int rc = cb_cgroup_enter(cg);
    return rc ? (errno = -rc, -1) : 0;
}

static int send_spec(struct run *r)
{
    const struct cb_workload *w = &r->spec->w;
    if (r->external) {
        char *line = cb_ext_spec_line(w);
        int rc = line ? cb_write_all(r->ctl, line, strlen(line)) : -ENOMEM;
        free(line);
        return rc;
    }
    const char *url = cb_wl(w)->target && w->url ? w->url : "";
    struct cb_child_spec sp = {.magic = CB_SPEC_MAGIC,
                               .version = CB_CHILD_VERSION,
                               .size = sizeof sp,
                               .kind = w->kind,
                               .url_len = (uint32_t)strlen(url),
                               .n = w->n,
                               .max_in_flight = w->max_in_flight,
                               .sleep_ns = w->sleep_ns,
                               .timeout_ns = w->timeout_ns,
                               .t_fork = r->t_fork};
    snprintf(sp.strategy, sizeof sp.strategy, "%s", r->spec->strategy->name);
    int rc = cb_write_all(r->ctl, &sp, sizeof sp);
    return rc ? rc : cb_write_all(r->ctl, url, sp.url_len);
}

static int make_cgroup(struct run *r)
{
    static unsigned seq;
    char name[64];
    if (r->spec->no_cgroup || getenv("CONCBENCH_NO_CGROUP")) {
        snprintf(r->cg_why, sizeof r->cg_why, "cgroups turned off (%s)",
                 r->spec->no_cgroup ? "--no-cgroup" : "CONCBENCH_NO_CGROUP");
        return 0;
    }
    snprintf(name, sizeof name, "concbench-%d-%u", (int)getpid(), seq++);
    if (cb_cgroup_create(&r->cg, name, r->cg_why, sizeof r->cg_why) == 0)
        r->cg_why[0] = '\0';
    return 0;
}

/* Pipes, cgroup, spawn, spec. 0 or a negative errno (no row then). */
static int start_run(struct run *r, char **argv, const char *exe)
{
    int ctl[2], res[2], err[2] = {-1, -1}, rc;
    if (pipe2(ctl, O_CLOEXEC) < 0)
        return -errno;
    if (pipe2(res, O_CLOEXEC) < 0 || (r->external && pipe2(err, O_CLOEXEC) < 0)) {
        rc = -errno;
        close(ctl[0]), close(ctl[1]);
        return rc;
    }
    make_cgroup(r);
    struct cb_proc_opts o = {.argv = argv,
                             .exe = exe,
                             .fd_in = ctl[0],
                             .fd_out = -1,
                             .fd_err = r->external ? err[1] : -1,
                             .fd_result = res[1],
                             .setup = r->cg.version ? join_cgroup : NULL,
                             .setup_arg = &r->cg};
    r->t_fork = cb_now_ns();
    rc = cb_proc_spawn(&o, &r->pid);
    close(ctl[0]), close(res[1]);
    if (err[1] >= 0)
        close(err[1]);
    r->ctl = ctl[1], r->res = res[0], r->err = err[0];
    if (rc)
        return rc;
    /* A run that dies before it reads its spec (EPIPE) shows as a result
     * stream that ends early, and the row says so; not an error here. A
     * run must not kill the harness with SIGPIPE either. */
    signal(SIGPIPE, SIG_IGN);
    rc = send_spec(r);
    return rc == -EPIPE ? 0 : rc;
}

/* --- while it runs -------------------------------------------------------- */

static uint64_t mem_now_kb(struct run *r)
{
    struct cb_mem_sample s;
    if (r->cg.version && cb_cgroup_sample(&r->cg, &s) == 0)
        return s.total_kb;
    uint64_t k = meminfo_kernel_kb();
    if (k > r->proc_kernel_peak)
        r->proc_kernel_peak = k;
    uint64_t hwm = proc_hwm_kb(r->pid);
    return hwm == CB_NA ? 0 : hwm;
}

/* The run said ready: take the baseline, say go. */
static void on_ready(struct run *r, uint64_t child_hwm_kb)
{
    r->ready = 1;
    struct cb_mem_sample s;
    if (r->cg.version && cb_cgroup_sample(&r->cg, &s) == 0)
        r->baseline_kb = s.total_kb;
    else
        r->baseline_kb = child_hwm_kb != CB_NA ? child_hwm_kb : proc_hwm_kb(r->pid);
    if (r->external)
        r->ext_cpu0_ok = proc_cpu_ns(r->pid, &r->ext_user0, &r->ext_sys0) == 0;
    /* A run that died already shows as EOF on its results; no need to
     * look at this write's outcome. */
    (void)cb_write_all(r->ctl, r->external ? "go\n" : "g", r->external ? 3 : 1);
}

/* Look at what arrived: the ready message, an external `end` line. */
static void scan(struct run *r)
{
    if (!r->external) {
        const struct cb_child_ready *rd = (const void *)r->buf;
        if (!r->ready && r->len >= sizeof *rd && rd->magic == CB_READY_MAGIC)
            on_ready(r, rd->hwm_kb);
        return;
    }
    while (r->scanned < r->len) {
        char *nl = memchr(r->buf + r->scanned, '\n', r->len - r->scanned);
        if (!nl)
            return;
        const char *l = r->buf + r->scanned;
        if (!r->ready && !strncmp(l, "ready\n", 6))
            on_ready(r, CB_NA);
        else if (!r->ready && !strncmp(l, "skip ", 5))
            r->ready = -1; /* cannot run: the parser reads why */
        else if (!r->ext_end_seen && !strncmp(l, "end ", 4)) {
            /* The work is over: CPU and memory of the program now. */
            r->ext_end_seen = 1;
            r->ext_cpu1_ok = proc_cpu_ns(r->pid, &r->ext_user1, &r->ext_sys1) == 0;
            r->ext_hwm_kb = proc_hwm_kb(r->pid);
        }
        r->scanned = (size_t)(nl - r->buf) + 1;
    }
}

static int read_into(struct run *r)
{
    if (r->len == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 1 << 16;
        char *nb = realloc(r->buf, cap + 1);
        if (!nb)
            return -ENOMEM;
        r->buf = nb, r->cap = cap;
    }
    ssize_t n = read(r->res, r->buf + r->len, r->cap - r->len);
    if (n < 0)
        return errno == EINTR ? 1 : -errno;
    if (n == 0)
        return 0;
    r->len += (size_t)n;
    scan(r);
    return 1;
}

static void read_stderr(struct run *r)
{
    char b[1024];
    ssize_t n = read(r->err, b, sizeof b);
    if (n <= 0) {
        close(r->err);
        r->err = -1;
        return;
    }
    /* Keep the last STDERR_KEEP bytes. */
    for (ssize_t i = 0; i < n; i++) {
        if (r->errlen == STDERR_KEEP) {
            memmove(r->errtail, r->errtail + STDERR_KEEP / 2, STDERR_KEEP / 2);
            r->errlen = STDERR_KEEP / 2;
        }
        r->errtail[r->errlen++] = b[i];
    }
}

/* Kill the run: its group, and its cgroup (what left the group). */
static void stop_run(struct run *r)
{
    cb_proc_kill_group(r->pid);
    if (r->cg.version)
        cb_cgroup_kill(&r->cg);
}

/* Watch the run until its result stream ends: sample memory, tick, keep
 * the deadline, answer ready, notice a signal. */
static void collect(struct run *r)
{
    int open_res = 1;
    r->next_tick = r->t_fork + TICK_NS;
    while (open_res) {
        struct pollfd p[2] = {{.fd = r->res, .events = POLLIN}, {.fd = r->err, .events = POLLIN}};
        int n = poll(p, r->err >= 0 ? 2 : 1, SAMPLE_MS);
        uint64_t now = cb_now_ns(), mem = mem_now_kb(r);
        if (r->spec->tick && now >= r->next_tick) {
            r->spec->tick(r->spec->tick_arg, now - r->t_fork, mem);
            r->next_tick = now + TICK_NS;
        }
        if (!r->signal && cb_interrupt_signal()) {
            r->signal = cb_interrupt_signal();
            stop_run(r);
        }
        if (r->deadline && now > r->deadline && !r->timed_out) {
            r->timed_out = 1;
            stop_run(r);
        }
        if (n <= 0)
            continue;
        if (p[1].revents && r->err >= 0)
            read_stderr(r);
        if (p[0].revents && read_into(r) <= 0)
            open_res = 0;
    }
    while (r->err >= 0)
        read_stderr(r);
}

/* wait4, but bounded: a run that closed its result pipe and hangs is
 * killed at the deadline (or at once, after a signal). */
static void reap(struct run *r, int *status, struct rusage *ru)
{
    for (;;) {
        pid_t w = wait4(r->pid, status, WNOHANG, ru);
        if (w == r->pid || (w < 0 && errno != EINTR))
            break;
        uint64_t now = cb_now_ns();
        if (cb_interrupt_signal() || (r->deadline && now > r->deadline))
            stop_run(r);
        poll(NULL, 0, 10);
    }
    /* A fork-strategy child orphaned by a crash would still be in the
     * group or the cgroup: nothing of this run outlives it. */
    stop_run(r);
}

/* --- the row -------------------------------------------------------------- */

static double ns_s(uint64_t ns)
{
    return ns == UINT64_MAX ? NAN : (double)ns / 1e9;
}

static void put_memory(struct run *r, const struct cb_outcome *o, struct cb_row *row)
{
    row->peak_rss_kb = o->hwm_kb ? o->hwm_kb : CB_NA;
    row->baseline_kb = r->baseline_kb;
    if (r->cg.version) {
        const struct cb_mem_sample *p = &r->cg.peak;
        snprintf(row->mem_method, sizeof row->mem_method, "cgroup%d", r->cg.version);
        row->mem_kb = cb_cgroup_peak_kb(&r->cg);
        row->mem_user_kb = p->user_kb, row->mem_kernel_kb = p->kernel_kb;
        row->mem_kstack_kb = p->kstack_kb, row->mem_pagetables_kb = p->pagetables_kb;
        row->mem_slab_kb = p->slab_kb, row->mem_sock_kb = p->sock_kb;
    } else {
        uint64_t rise =
            r->proc_kernel_peak > r->proc_kernel0 ? r->proc_kernel_peak - r->proc_kernel0 : 0;
        snprintf(row->mem_method, sizeof row->mem_method, "proc");
        row->mem_user_kb = row->peak_rss_kb;
        row->mem_kernel_kb = rise;
        row->mem_kb = row->peak_rss_kb == CB_NA ? CB_NA : row->peak_rss_kb + rise;
    }
    if (row->started && row->started != CB_NA && row->mem_kb != CB_NA && r->baseline_kb != CB_NA)
        row->mem_per_task_b =
            ((double)row->mem_kb - (double)r->baseline_kb) * 1024.0 / (double)row->started;
}

/* Decode the C child's result stream into o. 0, or -EPROTO. */
static int decode_c(struct run *r, struct cb_outcome *o)
{
    size_t off = sizeof(struct cb_child_ready);
    const struct cb_child_result *h = (const void *)(r->buf + off);
    if (!r->ready || r->len < off + sizeof *h || h->magic != CB_RESULT_MAGIC ||
        r->len != off + sizeof *h + h->n * sizeof(struct cb_task))
        return -EPROTO;
    o->rc = h->rc, o->t_run0 = h->t_run0, o->t_run1 = h->t_run1;
    o->user_ns = h->user_ns, o->sys_ns = h->sys_ns, o->hwm_kb = h->hwm_kb;
    o->n = h->n, o->tasks = (struct cb_task *)(h + 1), o->started = h->rep.started;
    snprintf(o->limit, sizeof o->limit, "%s", h->rep.limit);
    snprintf(o->policy, sizeof o->policy, "%s", h->rep.policy);
    return 0;
}

/* The last line of stderr, for a note. */
static const char *err_last_line(struct run *r)
{
    r->errtail[r->errlen] = '\0';
    while (r->errlen && (r->errtail[r->errlen - 1] == '\n' || r->errtail[r->errlen - 1] == '\r'))
        r->errtail[--r->errlen] = '\0';
    char *nl = strrchr(r->errtail, '\n');
    return nl ? nl + 1 : r->errtail;
}

static void put_failure(struct run *r, int status, const char *why, struct cb_row *row)
{
    const char *last = r->external ? err_last_line(r) : "";
    if (WIFSIGNALED(status)) {
        snprintf(row->status, sizeof row->status, "crashed");
        snprintf(row->note, sizeof row->note, "killed by %s%s%.180s",
                 sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "a signal",
                 *last ? "; stderr: " : "", last);
    } else {
        snprintf(row->status, sizeof row->status, "failed");
        snprintf(row->note, sizeof row->note, "%s, exit %d%s%.160s", why,
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1, *last ? "; stderr: " : "", last);
    }
}

/* The outcome of a run that ended: judge it into row. */
static void finish_row(struct run *r, int status, struct cb_row *row)
{
    struct cb_outcome o = {0};
    char why[CB_STR_MAX] = "";
    int rc = r->external
                 ? cb_ext_parse(r->buf, r->len, r->spec->w.n, r->spec->w.kind, &o, why, sizeof why)
                 : decode_c(r, &o);
    if (!r->external && rc)
        snprintf(why, sizeof why, "the run sent %zu bytes of results", r->len);
    if (r->external && o.skip[0]) {
        snprintf(row->status, sizeof row->status, "skipped");
        snprintf(row->note, sizeof row->note, "%s", o.skip);
    } else if (rc || (WIFSIGNALED(status) && !o.t_run1) ||
               (r->external && (!WIFEXITED(status) || WEXITSTATUS(status)))) {
        put_failure(r, status, rc ? why : "the program failed after its results", row);
    } else {
        if (r->external) {
            o.hwm_kb = r->ext_hwm_kb != CB_NA ? r->ext_hwm_kb : 0;
            if (r->ext_cpu0_ok && r->ext_cpu1_ok)
                o.user_ns = r->ext_user1 - r->ext_user0, o.sys_ns = r->ext_sys1 - r->ext_sys0;
        }
        /* A run that failed before its work began has no span. */
        row->wall_s = o.t_run0 ? ns_s(o.t_run1 - o.t_run0) : NAN;
        row->startup_s = o.t_run0 >= r->t_fork ? ns_s(o.t_run0 - r->t_fork) : NAN;
        /* External programs: from /proc at "go" and at `end`, at clock-tick
         * resolution (10 ms). */
        row->user_s = o.t_run0 ? ns_s(o.user_ns) : NAN;
        row->sys_s = o.t_run0 ? ns_s(o.sys_ns) : NAN;
        cb_verify(r->spec, &o, row);
        put_memory(r, &o, row);
    }
    if (r->external)
        free(o.tasks);
    if (!r->cg.version && r->cg_why[0] && !strstr(row->note, "mem_method")) {
        size_t l = strlen(row->note);
        snprintf(row->note + l, sizeof row->note - l, "%smem_method proc: %.120s", l ? "; " : "",
                 r->cg_why);
    }
}

static void put_rusage(const struct rusage *ru, struct cb_row *row)
{
    row->proc_cpu_s = (double)ru->ru_utime.tv_sec + (double)ru->ru_utime.tv_usec / 1e6 +
                      (double)ru->ru_stime.tv_sec + (double)ru->ru_stime.tv_usec / 1e6;
    row->vcsw = (uint64_t)ru->ru_nvcsw;
    row->ivcsw = (uint64_t)ru->ru_nivcsw;
    row->minflt = (uint64_t)ru->ru_minflt;
}

static void close_run(struct run *r)
{
    if (r->ctl >= 0)
        close(r->ctl);
    if (r->res >= 0)
        close(r->res);
    if (r->err >= 0)
        close(r->err);
    cb_cgroup_destroy(&r->cg);
    free(r->buf);
}

int cb_measure(const struct cb_spec *spec, struct cb_row *row)
{
    fill_spec(spec, row);
    if (cannot_run(spec, row))
        return 0;
    struct run r = {.spec = spec,
                    .external = spec->strategy->external != NULL,
                    .ctl = -1,
                    .res = -1,
                    .err = -1,
                    .baseline_kb = CB_NA,
                    .ext_hwm_kb = CB_NA};
    r.proc_kernel0 = r.proc_kernel_peak = meminfo_kernel_kb();
    char *child_argv[] = {"concbench", "_child", NULL};
    char **argv = r.external ? cb_external_argv(spec->strategy->external) : child_argv;
    const char *exe = r.external ? NULL : (spec->exe ? spec->exe : "/proc/self/exe");
    int rc = argv ? start_run(&r, argv, exe) : -ENOMEM;
    if (argv != child_argv)
        free(argv);
    if (rc) {
        if (r.pid > 0)
            stop_run(&r), cb_proc_reap(r.pid, NULL, NULL);
        close_run(&r);
        return rc;
    }
    r.deadline = spec->run_timeout_ns ? r.t_fork + spec->run_timeout_ns : 0;
    collect(&r);
    close(r.ctl), r.ctl = -1; /* EOF: a run still waiting for go stops */
    int status = 0;
    struct rusage ru = {0};
    reap(&r, &status, &ru);
    put_rusage(&ru, row);
    if (r.signal) {
        snprintf(row->status, sizeof row->status, "interrupted");
        snprintf(row->note, sizeof row->note, "%s during the run: its processes were killed",
                 sigabbrev_np(r.signal) ? sigabbrev_np(r.signal) : "a signal");
    } else if (r.timed_out) {
        snprintf(row->status, sizeof row->status, "timeout");
        snprintf(row->note, sizeof row->note, "killed after %.1f s (run timeout)",
                 (double)spec->run_timeout_ns / 1e9);
    } else {
        finish_row(&r, status, row);
    }
    close_run(&r);
    return 0;
}
