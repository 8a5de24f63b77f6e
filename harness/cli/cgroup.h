/*
 * cgroup.h: a memory cgroup for one measured run, so its memory figure is
 * the whole process tree's concurrent peak, user pages and kernel memory
 * (stacks, page tables, slab, socket buffers) alike.
 *
 * The run's cgroup is made under the cgroup this process runs in (read
 * from /proc/self/cgroup), never at the root, so a container limit or
 * someone measuring concbench from outside still sees and bounds it. Both
 * hierarchies: cgroup v1 (the memory controller's own mount) and cgroup
 * v2 (the unified mount, where the memory controller must be enabled in
 * the parent's cgroup.subtree_control). Not thread-safe.
 */
#ifndef CB_CGROUP_H
#define CB_CGROUP_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#define CB_KB_NA UINT64_MAX

/* One reading of the run's memory, in kB; CB_KB_NA where the hierarchy
 * does not report a part. */
struct cb_mem_sample {
    uint64_t total_kb;      /* user + kernel */
    uint64_t user_kb;       /* anon + file pages */
    uint64_t kernel_kb;     /* everything the kernel charged besides */
    uint64_t kstack_kb;     /* kernel stacks (v2) */
    uint64_t pagetables_kb; /* page tables (v2) */
    uint64_t slab_kb;       /* slab (v2; v1 from memory.kmem.slabinfo) */
    uint64_t sock_kb;       /* socket buffers (v2 sock; v1 kmem.tcp) */
};

struct cb_cgroup {
    int version;               /* 1 or 2; 0: no cgroup (closed or failed) */
    char path[PATH_MAX];       /* the run's cgroup directory */
    int fd_procs;              /* cgroup.procs, open for writing */
    int fd_usage;              /* v1 memory.usage_in_bytes, v2 memory.current */
    int fd_kmem;               /* v1 memory.kmem.usage_in_bytes, v2 memory.stat */
    int fd_tcp;                /* v1 memory.kmem.tcp.usage_in_bytes; -1 on v2 */
    struct cb_mem_sample peak; /* the sample with the highest total */
};

/*
 * Make a fresh memory cgroup called name under this process's own cgroup.
 * Returns 0, or a negative errno with the reason in words in why (e.g.
 * "/sys/fs/cgroup/memory/x is not writable: run as root, or in a
 * delegated cgroup: systemd-run --user --scope -p Delegate=yes ...").
 * On v2 this may move the calling process into a leaf of its own cgroup
 * (cgroup v2 allows no process in a cgroup whose children have
 * controllers); nothing else of the caller changes.
 */
int cb_cgroup_create(struct cb_cgroup *cg, const char *name, char *why, size_t len);

/*
 * Move the calling process into cg: for a child between fork and exec.
 * Async-signal-safe (one write()). 0 or a negative errno.
 */
int cb_cgroup_enter(const struct cb_cgroup *cg);

/* Read the run's memory now into s and keep it as cg->peak if it is the
 * highest yet. 0 or a negative errno. */
int cb_cgroup_sample(struct cb_cgroup *cg, struct cb_mem_sample *s);

/* The kernel's own record of the run's peak, user + kernel, in kB (v1
 * memory.max_usage_in_bytes + memory.kmem.tcp.max_usage_in_bytes, v2
 * memory.peak), or the highest sample where the kernel keeps none. */
uint64_t cb_cgroup_peak_kb(struct cb_cgroup *cg);

/* SIGKILL every process in cg (v2: cgroup.kill) and wait, bounded, until
 * none is left. Returns how many were still there at the first look. */
int cb_cgroup_kill(struct cb_cgroup *cg);

/* Kill what is left, close the descriptors and remove the directory. */
void cb_cgroup_destroy(struct cb_cgroup *cg);

/* Remove cgroups of earlier concbench runs whose harness is gone (killed
 * with SIGKILL, say): their processes are killed first. Best effort. */
void cb_cgroup_sweep_stale(void);

#endif
