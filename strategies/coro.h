/*
 * coro.h: stackful coroutines with a hand-written context switch
 * (coro_switch_x86_64.S, coro_switch_aarch64.S; ucontext on other machines).
 *
 * A scheduler runs on the thread's own stack and resumes coroutines; a
 * coroutine runs until it yields (or returns), and control comes back to
 * whoever resumed it. Two stack policies:
 *
 *  CORO_STACK_SHARED  every coroutine runs on one shared stack (one mmap,
 *                     guard page below). When another coroutine needs the
 *                     stack, the live frames of the one that was on it are
 *                     copied out, exactly [sp, top of stack), and copied
 *                     back on resume. They are kept inside the coroutine's
 *                     own record, which is sized to the frames its
 *                     predecessors saved (96 bytes for a sleeping task);
 *                     larger frames go to a buffer of their own. Records
 *                     and buffers come from the scheduler's arena: size
 *                     classes of 8 bytes carved from large chunks, no
 *                     per-allocation header. This is how a million
 *                     coroutines fit: one mmap per stack cannot
 *                     (vm.max_map_count is 65530 here), and even one
 *                     touched 4 KiB page each would be 4 GiB. The rule that
 *                     comes with it: memory on a suspended coroutine's
 *                     stack must not be used by anyone else (the stack is
 *                     reused meanwhile).
 *  CORO_STACK_FIXED   every coroutine has a private stack of stack_size,
 *                     carved from slabs of 64 stacks per mmap, each with a
 *                     guard page while the map budget allows. No copying.
 *
 * Not thread-safe: a scheduler and its coroutines belong to one thread.
 */
#ifndef CB_CORO_H
#define CB_CORO_H

#include <stddef.h>
#include <stdint.h>

#ifdef CORO_USE_UCONTEXT
#include <ucontext.h>
struct coro_ctx {
    ucontext_t uc;
};
#else
struct coro_ctx {
    void *sp; /* saved stack pointer; the registers are on that stack */
};
/* Save callee-saved state on the current stack into from, resume to. */
void coro_switch(struct coro_ctx *from, struct coro_ctx *to);
#endif

/*
 * Prepare ctx so that the first switch to it calls entry(arg) on the stack
 * [lo, hi) (16-byte aligned from hi down), and when entry returns, calls
 * exit(exit_arg), which must never return: it switches away for good.
 * With exit NULL, entry itself must never return (the process aborts if it
 * does). No wrapper frame lies between the top of the stack and entry's
 * frame, at most its return address. The scheduler builds every coroutine
 * with this; it is exported for the micro-benchmark of the bare switch.
 */
void coro_ctx_init(struct coro_ctx *ctx, char *lo, char *hi, void (*entry)(void *), void *arg,
                   void (*exit)(void *), void *exit_arg);

enum coro_stack_policy { CORO_STACK_SHARED, CORO_STACK_FIXED };

struct coro;
struct coro_slab;
struct coro_arena_chunk;

/*
 * The scheduler's allocator for coroutine records and saved frames: blocks
 * in multiples of 8 bytes up to CORO_ARENA_MAX, carved from chunks that
 * start at CORO_ARENA_FIRST bytes and double up to CORO_ARENA_CHUNK, with
 * one free list per size and no header (the caller says the size when it
 * frees). Larger blocks come from malloc, and so do the chunks: a small
 * run's first chunk is heap memory that the next run reuses. Memory goes
 * back only in coro_sched_fini().
 */
enum { CORO_ARENA_MAX = 1024, CORO_ARENA_FIRST = 16u << 10, CORO_ARENA_CHUNK = 2u << 20 };

struct coro_arena {
    char *pos, *end;                    /* the newest chunk's uncarved part */
    size_t next_len;                    /* the next chunk's size */
    struct coro_arena_chunk *chunks;    /* every chunk, to free */
    void *free[CORO_ARENA_MAX / 8 + 1]; /* free blocks by size / 8 */
};

struct coro_sched {
    struct coro_ctx main; /* the scheduler's own context */
#ifndef CORO_USE_UCONTEXT
    struct coro_ctx co; /* the running coroutine's sp, as the switch saves it */
#endif
    struct coro *current; /* running coroutine, NULL in the scheduler */
    enum coro_stack_policy policy;
    size_t stack_size;
    size_t page; /* page size, read once */
    /* CORO_STACK_SHARED */
    char *shared_map; /* mapping, guard page first */
    size_t shared_map_len;
    char *shared_lo, *shared_hi; /* usable stack [lo, hi) */
    struct coro *on_stack;       /* whose frames are on the shared stack */
    uint32_t frame_hint;         /* inline room for frames in new records */
    /* CORO_STACK_FIXED */
    struct coro_slab *slabs;
    void *free_stacks;       /* free list of stacks */
    size_t guard_budget;     /* guard pages we may still add (maps) */
    struct coro_arena arena; /* records and saved frames */
    /* statistics */
    size_t live;            /* coroutines created, not destroyed */
    uint64_t bytes_copied;  /* shared policy: bytes saved and restored */
    uint64_t saves;         /* shared policy: frames copied off the stack */
    uint64_t bytes_saved;   /* shared policy: their total size */
    uint64_t saves_spilled; /* of them, saved outside the record (too big) */
    const void *main_stack_lo;
    size_t main_stack_size;
};

/*
 * Set up a scheduler. stack_size: the shared stack's size, or each private
 * stack's (rounded up to pages; 0: 256 KiB shared, 64 KiB fixed).
 * 0 or a negative errno (-ENOMEM when the mmap fails).
 */
int coro_sched_init(struct coro_sched *s, enum coro_stack_policy p, size_t stack_size);
/* Release the stacks and the arena. Every coroutine must have been
 * destroyed. */
void coro_sched_fini(struct coro_sched *s);

/* A new coroutine that will run fn(arg) on its first resume. NULL when out
 * of memory (errno ENOMEM). */
struct coro *coro_create(struct coro_sched *s, void (*fn)(void *), void *arg);

/* Run c until it yields or returns. Call from the scheduler (not from a
 * coroutine); c must not have finished. Returns 0, or -ENOMEM when the
 * shared stack's current owner could not be saved: then c did not run and
 * stays suspended (the caller may destroy it). */
int coro_resume(struct coro_sched *s, struct coro *c);

/* From inside a coroutine: give control back to whoever resumed it. */
void coro_yield(struct coro_sched *s);

/* 1 once c's function has returned. */
int coro_done(const struct coro *c);

/* Free a coroutine that has finished or has never run. */
void coro_destroy(struct coro_sched *s, struct coro *c);

/* The coroutine running now, or NULL in the scheduler. */
static inline struct coro *coro_current(const struct coro_sched *s)
{
    return s->current;
}

/* One line for the results: "shared 256 KiB stack, frames copied...",
 * with the average saved frame so far (call it after the run). */
void coro_policy_describe(const struct coro_sched *s, char *buf, size_t len);

#endif
