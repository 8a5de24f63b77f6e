/* test_meter.c: the whole-cost meter. Each test would fail on the old
 * meter (VmHWM + each fork child's USS summed over time, no kernel
 * memory, only the status checked for a foreign server). */
#include "cgroup.h"
#include "helpers.h"
#include "measure.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <unistd.h>

#define MS 1000000ull

static struct cb_spec spec_for(const char *strategy, size_t n, uint64_t sleep_ns)
{
    return (struct cb_spec){
        .strategy = cb_strategy_find(strategy),
        .w = {.kind = CB_SLEEP, .n = n, .sleep_ns = sleep_ns, .timeout_ns = 30000 * MS},
        .exe = cb_bin()};
}

/* Skip unless runs get a cgroup here (root, a memory hierarchy). */
static void need_cgroup(void)
{
    struct cb_cgroup cg;
    char why[512];
    if (cb_cgroup_create(&cg, "concbench-test-probe", why, sizeof why))
        cr_skip_test("no memory cgroup for runs here: %s", why);
    cb_cgroup_destroy(&cg);
}

Test(meter, threads_count_their_kernel_stacks, .timeout = 60)
{
    need_cgroup();
    struct cb_spec s = spec_for("threads", 1000, 300 * MS);
    struct cb_row r;
    cr_assert_eq(cb_measure(&s, &r), 0);
    cr_assert_str_eq(r.status, "ok", "%s: %s", r.status, r.note);
    cr_assert_eq(strncmp(r.mem_method, "cgroup", 6), 0, "mem_method %s", r.mem_method);
    /* A thread's kernel stack is 16 KiB on x86-64 and arm64: a meter that
     * cannot see kernel memory reports far less per task. */
    double kernel_per_task = (double)r.mem_kernel_kb * 1024.0 / (double)r.started;
    cr_assert_geq(kernel_per_task, 16384.0, "kernel memory per thread %.0f B", kernel_per_task);
    cr_assert_geq(r.mem_per_task_b, 16384.0, "mem_per_task_b %.0f", r.mem_per_task_b);
}

/* The v1 memory cgroup this test process runs in, as a directory. */
static int own_cgroup(char *dir, size_t len)
{
    FILE *f = fopen("/proc/self/cgroup", "re");
    char line[4096];
    int found = 0;
    while (f && !found && fgets(line, sizeof line, f)) {
        char *c = strstr(line, ":memory:");
        if (c) {
            c[strcspn(c, "\n")] = '\0';
            snprintf(dir, len, "/sys/fs/cgroup/memory%s", c + 8);
            found = 1;
        }
    }
    if (f)
        fclose(f);
    return found ? 0 : -1;
}

static unsigned long long read_ull(const char *dir, const char *file)
{
    char p[2 * PATH_MAX];
    snprintf(p, sizeof p, "%s/%s", dir, file);
    FILE *f = fopen(p, "re");
    unsigned long long v = 0;
    if (f && fscanf(f, "%llu", &v) != 1)
        v = 0;
    if (f)
        fclose(f);
    return v;
}

Test(meter, fork_peak_is_concurrent_and_agrees_with_an_outer_cgroup, .timeout = 120)
{
    need_cgroup();
    char home[PATH_MAX], outer[PATH_MAX + 64];
    char procs[2 * PATH_MAX];
    cr_assert_eq(own_cgroup(home, sizeof home), 0, "no v1 memory cgroup line");
    /* An independent instrument: a cgroup of our own around this process,
     * so around the harness side and the run's cgroup (made under it). */
    snprintf(outer, sizeof outer, "%s/meter-test-%d", home, (int)getpid());
    cr_assert_eq(mkdir(outer, 0755), 0, "mkdir %s", outer);
    snprintf(procs, sizeof procs, "%s/cgroup.procs", outer);
    FILE *pf = fopen(procs, "we");
    cr_assert_not_null(pf);
    fprintf(pf, "0");
    fclose(pf);
    /* 1,000 children of 20 ms started over ~0.5 s: far fewer are alive at
     * once than are started, so a sum over time overstates the peak. */
    struct cb_spec s = spec_for("fork", 1000, 20 * MS);
    struct cb_row r;
    cr_assert_eq(cb_measure(&s, &r), 0);
    unsigned long long outer_kb = read_ull(outer, "memory.max_usage_in_bytes") / 1024;
    /* Back home, then remove ours. */
    snprintf(procs, sizeof procs, "%s/cgroup.procs", home);
    pf = fopen(procs, "we");
    fprintf(pf, "0");
    fclose(pf);
    rmdir(outer);
    cr_assert_str_eq(r.status, "ok", "%s: %s", r.status, r.note);
    cr_assert_leq(r.mem_kb, outer_kb, "run %llu kB > outer %llu kB", (unsigned long long)r.mem_kb,
                  outer_kb);
    /* The outer cgroup also holds this test process (a few MB): the run's
     * peak is most of it. */
    cr_assert_geq(r.mem_kb + 16384, outer_kb, "run %llu kB, outer %llu kB",
                  (unsigned long long)r.mem_kb, outer_kb);
}

/* A foreign server that promises 100 bytes and sends 50. */
struct short_server {
    int fd, port;
};

static void *serve_short(void *arg)
{
    struct short_server *ss = arg;
    for (int i = 0; i < 3; i++) {
        int c = accept(ss->fd, NULL, NULL);
        if (c < 0)
            break;
        char req[2048];
        (void)!read(c, req, sizeof req);
        static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"
                                   "0123456789012345678901234567890123456789012345678\n";
        (void)!write(c, resp, sizeof resp - 1);
        close(c);
    }
    return NULL;
}

Test(meter, a_short_body_from_a_foreign_server_fails_the_row, .timeout = 60)
{
    struct short_server ss = {.fd = socket(AF_INET, SOCK_STREAM, 0)};
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    cr_assert_eq(bind(ss.fd, (struct sockaddr *)&a, sizeof a), 0);
    cr_assert_eq(listen(ss.fd, 16), 0);
    getsockname(ss.fd, (struct sockaddr *)&a, &al);
    pthread_t th;
    pthread_create(&th, NULL, serve_short, &ss);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", ntohs(a.sin_port));
    struct cb_spec s = {.strategy = cb_strategy_find("sequential"),
                        .w = {.kind = CB_HTTP, .n = 3, .url = url, .timeout_ns = 10000 * MS},
                        .target = url,
                        .server = "external",
                        .exe = cb_bin()};
    struct cb_row r;
    cr_assert_eq(cb_measure(&s, &r), 0);
    pthread_join(th, NULL);
    close(ss.fd);
    cr_assert_str_eq(r.status, "errors", "%s: %s", r.status, r.note);
    cr_assert_eq(r.completed, 0);
    cr_assert_not_null(strstr(r.error_kinds, "bad_body=3"), "kinds %s", r.error_kinds);
    cr_assert_str_eq(r.checked, "status+length");
}

Test(meter, proc_fallback_says_so, .timeout = 60)
{
    setenv("CONCBENCH_NO_CGROUP", "1", 1);
    struct cb_spec s = spec_for("epoll", 100, 50 * MS);
    struct cb_row r;
    cr_assert_eq(cb_measure(&s, &r), 0);
    cr_assert_str_eq(r.status, "ok", "%s: %s", r.status, r.note);
    cr_assert_str_eq(r.mem_method, "proc");
    cr_assert_not_null(strstr(r.note, "CONCBENCH_NO_CGROUP"), "note %s", r.note);
    cr_assert_neq(r.mem_kb, CB_NA);
}

Test(meter, cpu_covers_the_work_not_the_start_up, .timeout = 60)
{
    /* busypoll burns a core for D: its CPU over the work is about its wall
     * time, never more (start-up is proc_cpu_s's). */
    struct cb_spec s = spec_for("busypoll", 10, 300 * MS);
    struct cb_row r;
    cr_assert_eq(cb_measure(&s, &r), 0);
    cr_assert_str_eq(r.status, "ok", "%s: %s", r.status, r.note);
    double cpu = r.user_s + r.sys_s;
    cr_assert_leq(cpu, r.wall_s * 1.02 + 0.004, "cpu %.4f s > wall %.4f s", cpu, r.wall_s);
    cr_assert_geq(r.proc_cpu_s, cpu, "whole-process cpu %.4f < work cpu %.4f", r.proc_cpu_s, cpu);
}

/* The v2 arithmetic, on files laid out as the kernel's: this machine's
 * hierarchy is v1, so without this the v2 reading would go untested.
 * fake_file writes one file of a fake cgroup directory. */
static void fake_file(const char *dir, const char *file, const char *text)
{
    char p[2 * PATH_MAX];
    snprintf(p, sizeof p, "%s/%s", dir, file);
    FILE *f = fopen(p, "we");
    cr_assert_not_null(f, "%s", p);
    cr_assert_geq(fputs(text, f), 0);
    cr_assert_eq(fclose(f), 0);
}

static int open_fake(const char *dir, const char *file)
{
    char p[2 * PATH_MAX];
    snprintf(p, sizeof p, "%s/%s", dir, file);
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    cr_assert_geq(fd, 0, "%s", p);
    return fd;
}

#define MIB "1048576"

Test(meter, v2_reads_user_and_kernel_parts_and_the_peak)
{
    char dir[] = "/tmp/concbench-v2-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    /* 10 MiB in all: 4 MiB anon + 2 MiB file, the rest the kernel's. */
    fake_file(dir, "memory.current", "10485760\n");
    fake_file(dir, "memory.stat",
              "anon 4194304\nfile 2097152\nkernel 4194304\nkernel_stack " MIB "\n"
              "pagetables 524288\nsec_pagetables 0\npercpu 0\nsock 262144\nvmalloc 0\n"
              "shmem 0\nslab " MIB "\nslab_reclaimable 0\nanon_thp 0\n");
    struct cb_cgroup cg = {.version = 2, .fd_procs = -1, .fd_tcp = -1};
    snprintf(cg.path, sizeof cg.path, "%s", dir);
    cg.fd_usage = open_fake(dir, "memory.current");
    cg.fd_kmem = open_fake(dir, "memory.stat");

    struct cb_mem_sample s;
    cr_assert_eq(cb_cgroup_sample(&cg, &s), 0);
    cr_assert_eq(s.total_kb, 10240);
    cr_assert_eq(s.user_kb, 6144);
    cr_assert_eq(s.kernel_kb, 4096);
    cr_assert_eq(s.kstack_kb, 1024);
    cr_assert_eq(s.pagetables_kb, 512);
    cr_assert_eq(s.slab_kb, 1024);
    cr_assert_eq(s.sock_kb, 256);
    cr_assert_eq(cg.peak.total_kb, 10240);

    /* A kernel before 5.19 keeps no memory.peak: the highest sample is
     * the peak, and a lower sample later does not lower it. */
    cr_assert_eq(cb_cgroup_peak_kb(&cg), 10240);
    fake_file(dir, "memory.current", "2097152\n");
    cr_assert_eq(cb_cgroup_sample(&cg, &s), 0);
    cr_assert_eq(s.total_kb, 2048);
    cr_assert_eq(s.kernel_kb, 0, "user pages above current read as no kernel memory");
    cr_assert_eq(cb_cgroup_peak_kb(&cg), 10240);

    /* The kernel's own record wins where it is higher than any sample. */
    fake_file(dir, "memory.peak", "20971520\n");
    cr_assert_eq(cb_cgroup_peak_kb(&cg), 20480);

    close(cg.fd_usage);
    close(cg.fd_kmem);
    const char *files[] = {"memory.current", "memory.stat", "memory.peak"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char p[2 * PATH_MAX];
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        cr_assert_eq(unlink(p), 0, "%s", p);
    }
    cr_assert_eq(rmdir(dir), 0);
}
