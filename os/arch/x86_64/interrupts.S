/* The 256 interrupt entry stubs and their common path. Each stub is 16 bytes
   (the IDT is filled by arithmetic) and pushes a dummy error code when the CPU
   does not push one, then the vector. The common path saves every general
   register and the SSE state (interrupted code may be in the middle of musl's
   SSE string functions) and calls halite_interrupt(TrapFrame*). */

    .text
    .balign 16
    .globl halite_isr_stubs
halite_isr_stubs:
    .set vector, 0
    .rept 256
    .balign 16
    /* Vectors with a CPU error code: #DF #TS #NP #SS #GP #PF #AC #CP #VC #SX. */
    .if (vector == 8) || (vector == 10) || (vector == 11) || (vector == 12) || (vector == 13) || (vector == 14) || (vector == 17) || (vector == 21) || (vector == 29) || (vector == 30)
    nop
    nop
    .else
    pushq $0
    .endif
    pushq $vector
    jmp isr_common
    .set vector, vector + 1
    .endr

    .balign 16
    .type isr_common, @function
isr_common:
    cld
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, %rdi         /* TrapFrame* */
    movq %rsp, %r12         /* callee-saved: survives the call */
    subq $512, %rsp
    andq $-16, %rsp
    fxsave64 (%rsp)
    call halite_interrupt
    fxrstor64 (%rsp)
    movq %r12, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
    addq $16, %rsp          /* vector, error code */
    iretq
    .size isr_common, . - isr_common
