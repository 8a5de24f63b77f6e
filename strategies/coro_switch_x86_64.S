/*
 * coro_switch_x86_64.S: the coroutine context switch for x86-64 (System V).
 *
 * void coro_switch(struct coro_ctx *from, struct coro_ctx *to);
 *     rdi = from, rsi = to
 *
 * Saves what the ABI says a callee must preserve on the current stack,
 * stores the stack pointer in from->sp, loads to->sp and restores the same
 * frame from there. Everything else (rax, rcx, rdx, rsi, rdi, r8-r11,
 * xmm0-15) is caller-saved, so the C compiler already assumes the call
 * clobbers it. The frame, from to->sp upwards:
 *
 *   offset  size  what
 *     0      4    MXCSR (SSE rounding mode and exception masks: callee-saved)
 *     4      2    x87 control word (callee-saved), 2 bytes padding
 *     8      8    r15
 *    16      8    r14
 *    24      8    r13
 *    32      8    r12
 *    40      8    rbx
 *    48      8    rbp
 *    56      8    return address (pushed by the caller's `call`)
 *
 * 64 bytes in all, so a 16-byte aligned sp stays aligned across the frame.
 * coro_ctx_init() builds the same frame by hand for a coroutine that has
 * not run yet, with coro_trampoline as the return address, at the very
 * top of its stack (nothing above it).
 */
    .text
    .globl  coro_switch
    .type   coro_switch, @function
    .p2align 4
coro_switch:
    .cfi_startproc
    /* Unwind information for the saving half only: once sp moves to the
     * other stack, no table can describe the frame. */
    pushq   %rbp
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset rbp, 0
    pushq   %rbx
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset rbx, 0
    pushq   %r12
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset r12, 0
    pushq   %r13
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset r13, 0
    pushq   %r14
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset r14, 0
    pushq   %r15
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset r15, 0
    subq    $8, %rsp
    .cfi_adjust_cfa_offset 8
    stmxcsr (%rsp)
    fnstcw  4(%rsp)
    movq    %rsp, (%rdi)        /* from->sp = sp */
    movq    (%rsi), %rsp        /* sp = to->sp: now on the other stack */
    ldmxcsr (%rsp)
    fldcw   4(%rsp)
    addq    $8, %rsp
    popq    %r15
    popq    %r14
    popq    %r13
    popq    %r12
    popq    %rbx
    popq    %rbp
    /* Not `ret`: the return-stack predictor expects a return to whoever
     * called coro_switch on the stack we left, so a `ret` here would be
     * mispredicted on every switch. An indirect jump is predicted from
     * the branch's own history instead. r8 is caller-saved. */
    popq    %r8
    jmp     *%r8
    .cfi_endproc
    .size   coro_switch, .-coro_switch

/*
 * First instruction a new coroutine runs, "returned to" from coro_switch.
 * coro_ctx_init() left the entry function in r12, its argument in r13,
 * the exit function in r14 and its argument in r15, and an sp that is
 * 16-byte aligned here (the top of the stack), as the ABI wants at a call.
 * r14 and r15 are callee-saved, so they survive the entry function. The
 * exit function never returns (it switches away for good). No frame of
 * our own: a suspended coroutine's saved frames begin with entry's return
 * address.
 */
    .globl  coro_trampoline
    .type   coro_trampoline, @function
    .p2align 4
coro_trampoline:
    .cfi_startproc
    .cfi_undefined rip          /* end of the call chain for debuggers */
    movq    %r13, %rdi
    callq   *%r12
    movq    %r15, %rdi
    callq   *%r14
    ud2
    .cfi_endproc
    .size   coro_trampoline, .-coro_trampoline

    .section .note.GNU-stack,"",@progbits
