/* SYSCALL entry: musl issues real `syscall` instructions and we serve them in
   ring 0 (LSTAR points here, FMASK clears IF, DF, TF, AC). The CPU does not
   switch stacks, so we run on the caller's stack below its 128-byte red zone.
   Linux preserves every register except %rax, %rcx and %r11 across a system
   call and musl relies on it (its asm lists only those as clobbered), so the
   argument registers and the SSE state are saved around the C++ dispatcher.
   Return with `popfq; jmp *%rcx`: sysretq would drop to ring 3. */

    .text
    .globl halite_syscall_entry
    .type halite_syscall_entry, @function
halite_syscall_entry:
    leaq -128(%rsp), %rsp   /* skip the red zone (lea: flags are live) */
    pushq %rcx              /* return address */
    pushq %r11              /* caller's rflags */
    pushq %rbp
    movq %rsp, %rbp
    /* struct SyscallArgs { nr, a1..a6 }, lowest address first. */
    pushq %r9
    pushq %r8
    pushq %r10
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rax
    movq %rsp, %rdi
    subq $512, %rsp
    andq $-16, %rsp
    fxsave64 (%rsp)
    call halite_syscall
    fxrstor64 (%rsp)
    leaq -48(%rbp), %rsp    /* at the saved %rdi; skip nr */
    popq %rdi
    popq %rsi
    popq %rdx
    popq %r10
    popq %r8
    popq %r9
    popq %rbp
    popq %r11
    popq %rcx
    pushq %r11
    popfq
    leaq 128(%rsp), %rsp
    jmp *%rcx
    .size halite_syscall_entry, . - halite_syscall_entry
