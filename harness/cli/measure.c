/* measure.c: one run in a fresh process. See measure.h. */
#include "measure.h"
#include "body.h"
#include "stats.h"
#include "cb_limits.h"
#include "work.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILD_MAGIC 0x63626368696c6431ULL /* "cbchild1" */

/* What the child sends before the slots. */
struct child_header {
    uint64_t magic;
    int64_t rc;
    uint64_t t_fork, t_exec, t_run0, t_run1;
    uint64_t baseline_kb, maxrss_kb;
    uint64_t n;
    struct cb_report rep;
};

/* --- the child ------------------------------------------------------------ */

/*
 * Peak RSS of this process's address space (VmHWM), all threads. Not
 * getrusage's ru_maxrss: Linux carries that across exec from the address
 * space the process had before, so a run forked from a big harness would
 * report the harness's memory as its own. VmHWM belongs to the new mm.
 */
static uint64_t hwm_kb(void)
{
    long long v = cb_proc_field("/proc/self/status", "VmHWM:");
    return v < 0 ? CB_NA : (uint64_t)v;
}

int cb_measure_child(int argc, char **argv)
{
    struct child_header h = {.magic = CHILD_MAGIC, .t_exec = cb_now_ns()};
    if (argc != 10)
        return 2;
    int fd = atoi(argv[1]);
    const struct cb_strategy *s = cb_strategy_find(argv[2]);
    struct cb_workload w = {
        .kind = strcmp(argv[3], "http") == 0 ? CB_HTTP : CB_SLEEP,
        .n = strtoull(argv[4], NULL, 10),
        .max_in_flight = strtoull(argv[5], NULL, 10),
        .sleep_ns = strtoull(argv[6], NULL, 10),
        .timeout_ns = strtoull(argv[7], NULL, 10),
        .url = argv[9],
    };
    h.t_fork = strtoull(argv[8], NULL, 10);
    h.n = w.n;
    if (!s)
        return 2;
    /* calloc of a large array maps zero pages: none is resident until the
     * strategy writes its slot, so slots count in the run, not before. */
    struct cb_task *tasks = calloc(w.n ? w.n : 1, sizeof *tasks);
    if (!tasks) {
        h.rc = -ENOMEM;
        h.n = 0;
    } else {
        /* The same counter as the peak below, so the difference is what
         * run() added to the peak. */
        h.baseline_kb = hwm_kb();
        h.t_run0 = cb_now_ns();
        h.rc = s->run(&w, tasks, &h.rep);
        h.t_run1 = cb_now_ns();
    }
    h.maxrss_kb = hwm_kb();
    if (cb_write_all(fd, &h, sizeof h) || cb_write_all(fd, tasks, h.n * sizeof *tasks))
        return 1;
    /* No free(): the process ends here, and a million frees are not free. */
    return 0;
}

/* --- the parent ----------------------------------------------------------- */

/* KernelStack + PageTables from /proc/meminfo, in kB. */
static uint64_t kernel_mem_kb(void)
{
    long long ks = cb_proc_field("/proc/meminfo", "KernelStack:");
    long long pt = cb_proc_field("/proc/meminfo", "PageTables:");
    return (uint64_t)(ks > 0 ? ks : 0) + (uint64_t)(pt > 0 ? pt : 0);
}

uint64_t cb_expected_ns(const char *strategy, const struct cb_workload *w, uint64_t per_task_ns,
                        uint64_t server_workers)
{
    uint64_t conc = w->max_in_flight ? w->max_in_flight : w->n;
    if (strcmp(strategy, "sequential") == 0)
        conc = 1;
    if (server_workers && server_workers < conc)
        conc = server_workers;
    if (!conc)
        return 0;
    uint64_t rounds = (w->n + conc - 1) / conc;
    return per_task_ns && rounds > UINT64_MAX / per_task_ns ? UINT64_MAX : rounds * per_task_ns;
}

/* Read everything the child sends; sample kernel memory meanwhile; kill
 * the process group at the deadline. Returns bytes read, *timed_out set. */
static size_t collect(int fd, pid_t pid, uint64_t deadline, char **buf, uint64_t *kernel_peak,
                      int *timed_out)
{
    size_t len = 0, cap = 1 << 16;
    char *b = malloc(cap);
    *timed_out = 0;
    while (b) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        /* 20 ms: the sampling period of kernel memory. Reading meminfo
         * costs the measured run a little CPU; a thread's kernel stack
         * lives for the whole run, so a finer period finds no more. */
        int n = poll(&p, 1, 20);
        uint64_t k = kernel_mem_kb();
        if (k > *kernel_peak)
            *kernel_peak = k;
        if (deadline && cb_now_ns() > deadline && !*timed_out) {
            kill(-pid, SIGKILL); /* the run and any children it forked */
            *timed_out = 1;
        }
        if (n <= 0)
            continue;
        if (len == cap) {
            char *nb = realloc(b, cap *= 2);
            if (!nb)
                break;
            b = nb;
        }
        ssize_t r = read(fd, b + len, cap - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        len += (size_t)r;
    }
    *buf = b;
    return len;
}

/* "first failure: task 17, refused (errno ECONNREFUSED)": the detail a
 * slot keeps in value, said in words where it is an errno. */
static void first_failure(const struct cb_task *t, size_t k, char *note, size_t len)
{
    const char *what = cb_error_name(t->error);
    const char *en = NULL;
    switch (t->error) {
    case CB_ERR_SPAWN:
    case CB_ERR_NOMEM:
    case CB_ERR_EMFILE:
    case CB_ERR_REFUSED:
    case CB_ERR_ADDR:
        en = t->value < 4096 ? strerrorname_np((int)t->value) : NULL;
        break;
    default:
        break;
    }
    if (t->error == CB_OK)
        what = "verification";
    if (en)
        snprintf(note, len, "first failure: task %zu, %s (errno %s)", k, what, en);
    else if (t->error == CB_ERR_HTTP)
        snprintf(note, len, "first failure: task %zu, HTTP status %llu", k,
                 (unsigned long long)t->value);
    else
        snprintf(note, len, "first failure: task %zu, %s (detail %llu)", k, what,
                 (unsigned long long)t->value);
}

/* Count every slot's outcome into row; fills latencies. */
static void verify(const struct cb_spec *spec, const struct child_header *h, struct cb_task *tasks,
                   struct cb_row *row)
{
    enum { V_NOT_RUN = CB_ERR_COUNT, V_WRONG_VALUE, V_SHORT_WAIT, V_COUNT };
    static const char *const vnames[] = {"not_run", "wrong_value", "short_wait"};
    size_t counts[V_COUNT] = {0}, ok = 0, started = 0, first_bad = SIZE_MAX;
    uint64_t *fin = malloc((h->n ? h->n : 1) * sizeof *fin), last_start = 0;
    for (size_t k = 0; k < h->n; k++) {
        const struct cb_task *t = &tasks[k];
        int kind = CB_OK;
        if (t->started_ns) {
            started++;
            if (t->started_ns > last_start)
                last_start = t->started_ns;
        }
        if (t->error)
            kind = t->error > 0 && t->error < CB_ERR_COUNT ? t->error : CB_ERR_OTHER;
        else if (!t->finished_ns || !t->started_ns)
            kind = V_NOT_RUN;
        else if (spec->w.kind == CB_SLEEP && t->value != k)
            kind = V_WRONG_VALUE;
        else if (spec->w.kind == CB_SLEEP && t->finished_ns - t->started_ns < spec->w.sleep_ns)
            kind = V_SHORT_WAIT;
        else if (spec->w.kind == CB_HTTP && spec->expect_checksum &&
                 t->value != spec->expect_checksum)
            kind = CB_ERR_BODY;
        if (kind == CB_OK && fin) {
            fin[ok++] = t->finished_ns - h->t_run0;
        } else if (kind != CB_OK) {
            counts[kind]++;
            if (first_bad == SIZE_MAX)
                first_bad = k;
        }
    }
    row->started = started;
    row->completed = ok;
    row->errors = h->n - ok;
    row->last_start_s = started ? (double)(last_start - h->t_run0) / 1e9 : NAN;
    if (ok) {
        row->fin_p50_s = (double)cb_percentile_u64(fin, ok, 50) / 1e9;
        row->fin_p99_s = (double)cb_percentile_u64(fin, ok, 99) / 1e9;
        row->fin_max_s = (double)fin[ok - 1] / 1e9; /* sorted by the percentile */
    }
    free(fin);
    if (first_bad != SIZE_MAX)
        first_failure(&tasks[first_bad], first_bad, row->note, sizeof row->note);
    size_t off = 0;
    for (int i = 1; i < V_COUNT; i++) {
        if (!counts[i] || off >= sizeof row->error_kinds)
            continue;
        const char *name = i < CB_ERR_COUNT ? cb_error_name(i) : vnames[i - CB_ERR_COUNT];
        off += (size_t)snprintf(row->error_kinds + off, sizeof row->error_kinds - off, "%s%s=%zu",
                                off ? " " : "", name, counts[i]);
    }
}

static long long nofile_limit(void)
{
    struct rlimit r;
    return getrlimit(RLIMIT_NOFILE, &r) == 0 ? (long long)r.rlim_cur : -1;
}

/* "32768-60999 (28232 ports)" */
static const char *port_range(void)
{
    static char buf[64];
    long lo = 0, hi = 0;
    FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "re");
    if (f && fscanf(f, "%ld %ld", &lo, &hi) == 2)
        snprintf(buf, sizeof buf, "%ld-%ld (%ld ports)", lo, hi, hi - lo + 1);
    else
        snprintf(buf, sizeof buf, "unknown");
    if (f)
        fclose(f);
    return buf;
}

static void fill_from_child(const struct cb_spec *spec, const struct child_header *h,
                            struct cb_task *tasks, struct cb_row *row)
{
    row->wall_s = (double)(h->t_run1 - h->t_run0) / 1e9;
    row->startup_s = (double)(h->t_run0 - h->t_fork) / 1e9;
    row->peak_rss_kb = h->maxrss_kb;
    row->mem_kb = h->maxrss_kb + h->rep.child_mem_kb;
    row->baseline_kb = h->baseline_kb;
    snprintf(row->policy, sizeof row->policy, "%s", h->rep.policy);
    verify(spec, h, tasks, row);
    /* Per task started: a run stopped by a limit held only those. */
    if (row->started)
        row->mem_per_task_b =
            ((double)row->mem_kb - (double)h->baseline_kb) * 1024.0 / (double)row->started;
    if (h->rc) {
        snprintf(row->status, sizeof row->status, "failed");
        snprintf(row->note, sizeof row->note, "run() returned %s%s%s",
                 strerrorname_np((int)-h->rc) ? strerrorname_np((int)-h->rc) : "?",
                 h->rep.limit[0] ? "; " : "", h->rep.limit);
    } else if (h->rep.limit[0] && row->errors) {
        /* The limit is the story; it replaces the first-failure detail. */
        snprintf(row->status, sizeof row->status, "limit");
        snprintf(row->note, sizeof row->note, "%s", h->rep.limit);
    } else if (h->rep.limit[0]) {
        /* A pool that came out smaller still ran every task: ok, but say so. */
        snprintf(row->status, sizeof row->status, "ok");
        snprintf(row->note, sizeof row->note, "%s (the pool ran smaller)", h->rep.limit);
    } else if (strstr(row->error_kinds, "emfile=") || strstr(row->error_kinds, "eaddrnotavail=")) {
        /* Out of descriptors or of local ports: a machine limit bound. */
        char first[CB_STR_MAX];
        snprintf(first, sizeof first, "%s", row->note);
        snprintf(row->status, sizeof row->status, "limit");
        if (strstr(row->error_kinds, "emfile="))
            snprintf(row->note, sizeof row->note,
                     "EMFILE: binding limit RLIMIT_NOFILE=%lld; %.150s", nofile_limit(), first);
        else
            snprintf(row->note, sizeof row->note,
                     "EADDRNOTAVAIL: binding limit ip_local_port_range %s; %.120s", port_range(),
                     first);
    } else {
        snprintf(row->status, sizeof row->status, row->errors ? "errors" : "ok");
    }
}

static void fill_spec(const struct cb_spec *spec, struct cb_row *row)
{
    cb_row_init(row);
    snprintf(row->strategy, sizeof row->strategy, "%s", spec->strategy->name);
    snprintf(row->workload, sizeof row->workload, "%s", spec->w.kind == CB_HTTP ? "http" : "sleep");
    row->n = spec->w.n;
    row->max_in_flight = spec->w.max_in_flight;
    row->duration_s = spec->duration_s;
    if (spec->w.kind == CB_HTTP) {
        snprintf(row->target, sizeof row->target, "%s", spec->target ? spec->target : spec->w.url);
        snprintf(row->server, sizeof row->server, "%s", spec->server ? spec->server : "");
    }
}

int cb_measure(const struct cb_spec *spec, struct cb_row *row)
{
    char a[8][32];
    int p[2];
    fill_spec(spec, row);
    if (pipe2(p, O_CLOEXEC) < 0)
        return -errno;
    uint64_t t_fork = cb_now_ns(), kernel0 = kernel_mem_kb(), kernel_peak = kernel0;
    snprintf(a[0], 32, "%d", p[1]);
    snprintf(a[1], 32, "%zu", spec->w.n);
    snprintf(a[2], 32, "%zu", spec->w.max_in_flight);
    snprintf(a[3], 32, "%" PRIu64, spec->w.sleep_ns);
    snprintf(a[4], 32, "%" PRIu64, spec->w.timeout_ns);
    snprintf(a[5], 32, "%" PRIu64, t_fork);
    char *argv[] = {"concbench",
                    "_child",
                    a[0],
                    (char *)spec->strategy->name,
                    spec->w.kind == CB_HTTP ? "http" : "sleep",
                    a[1],
                    a[2],
                    a[3],
                    a[4],
                    a[5],
                    (char *)(spec->w.url ? spec->w.url : "-"),
                    NULL};
    pid_t pid = fork();
    if (pid < 0) {
        int err = errno;
        close(p[0]);
        close(p[1]);
        return -err;
    }
    if (pid == 0) {
        /* Its own process group, so a timeout kills its children too. */
        setpgid(0, 0);
        fcntl(p[1], F_SETFD, 0); /* the result pipe survives exec */
        execv(spec->exe ? spec->exe : "/proc/self/exe", argv);
        _exit(127);
    }
    setpgid(pid, pid); /* also here: no race with an early kill */
    close(p[1]);
    char *buf = NULL;
    int timed_out;
    uint64_t deadline = spec->run_timeout_ns ? t_fork + spec->run_timeout_ns : 0;
    size_t len = collect(p[0], pid, deadline, &buf, &kernel_peak, &timed_out);
    close(p[0]);
    int status = 0;
    struct rusage ru = {0};
    while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
        ;
    /* A fork-strategy child orphaned by a crash would still be in the
     * group: make sure nothing of this run outlives it. */
    kill(-pid, SIGKILL);
    row->user_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
    row->sys_s = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    row->vcsw = (uint64_t)ru.ru_nvcsw;
    row->ivcsw = (uint64_t)ru.ru_nivcsw;
    row->minflt = (uint64_t)ru.ru_minflt;
    row->mem_kernel_kb = kernel_peak - kernel0;

    const struct child_header *h = (const void *)buf;
    int complete = buf && len >= sizeof *h && h->magic == CHILD_MAGIC &&
                   len == sizeof *h + h->n * sizeof(struct cb_task);
    if (timed_out) {
        snprintf(row->status, sizeof row->status, "timeout");
        snprintf(row->note, sizeof row->note, "killed after %.1f s (run timeout)",
                 (double)spec->run_timeout_ns / 1e9);
    } else if (WIFSIGNALED(status)) {
        snprintf(row->status, sizeof row->status, "crashed");
        snprintf(row->note, sizeof row->note, "killed by %s",
                 sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "a signal");
    } else if (!complete) {
        snprintf(row->status, sizeof row->status, "failed");
        snprintf(row->note, sizeof row->note, "the run sent %zu bytes of results, exit %d", len,
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    } else {
        fill_from_child(spec, h, (struct cb_task *)(h + 1), row);
    }
    free(buf);
    return 0;
}
