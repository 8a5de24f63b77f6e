/*
 * coro_switch_aarch64.S: the coroutine context switch for AArch64 (AAPCS64).
 *
 * void coro_switch(struct coro_ctx *from, struct coro_ctx *to);
 *     x0 = from, x1 = to
 *
 * Callee-saved under AAPCS64: x19-x28, x29 (frame pointer), x30 (link
 * register: where the switch returns to), sp, the low 64 bits of v8-v15
 * (d8-d15), and FPCR (rounding mode and traps). The frame, from to->sp up:
 *
 *   offset  what
 *     0     x19, x20
 *    16     x21, x22
 *    32     x23, x24
 *    48     x25, x26
 *    64     x27, x28
 *    80     x29, x30
 *    96     d8,  d9
 *   112     d10, d11
 *   128     d12, d13
 *   144     d14, d15
 *   160     FPCR, 8 bytes padding
 *
 * 176 bytes, a multiple of 16 (sp must stay 16-byte aligned on AArch64).
 * coro_ctx_init() builds this frame by hand for a new coroutine: x30 =
 * coro_trampoline, x19 = entry function, x20 = its argument, x21 = the
 * exit function, x22 = its argument.
 * Not yet run on AArch64 hardware by the project (see README).
 */
    .text
    .globl  coro_switch
    .type   coro_switch, %function
    .p2align 4
coro_switch:
    sub     sp, sp, #176
    stp     x19, x20, [sp, #0]
    stp     x21, x22, [sp, #16]
    stp     x23, x24, [sp, #32]
    stp     x25, x26, [sp, #48]
    stp     x27, x28, [sp, #64]
    stp     x29, x30, [sp, #80]
    stp     d8,  d9,  [sp, #96]
    stp     d10, d11, [sp, #112]
    stp     d12, d13, [sp, #128]
    stp     d14, d15, [sp, #144]
    mrs     x9, fpcr
    str     x9, [sp, #160]
    mov     x9, sp
    str     x9, [x0]            /* from->sp = sp */
    ldr     x9, [x1]
    mov     sp, x9              /* sp = to->sp: now on the other stack */
    ldr     x9, [sp, #160]
    msr     fpcr, x9
    ldp     x19, x20, [sp, #0]
    ldp     x21, x22, [sp, #16]
    ldp     x23, x24, [sp, #32]
    ldp     x25, x26, [sp, #48]
    ldp     x27, x28, [sp, #64]
    ldp     x29, x30, [sp, #80]
    ldp     d8,  d9,  [sp, #96]
    ldp     d10, d11, [sp, #112]
    ldp     d12, d13, [sp, #128]
    ldp     d14, d15, [sp, #144]
    add     sp, sp, #176
    ret
    .size   coro_switch, .-coro_switch

/* First instruction of a new coroutine: call entry(arg), then
 * exit(exit_arg), which never returns. x21 and x22 are callee-saved, so
 * they survive entry. */
    .globl  coro_trampoline
    .type   coro_trampoline, %function
    .p2align 4
coro_trampoline:
    mov     x29, xzr            /* end of the frame chain */
    mov     x0, x20
    blr     x19
    mov     x0, x22
    blr     x21
    brk     #0
    .size   coro_trampoline, .-coro_trampoline

    .section .note.GNU-stack,"",%progbits
