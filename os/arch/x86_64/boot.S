/* PVH entry. QEMU (-kernel on microvm, pc, q35) and Xen find the entry point in
   the XEN_ELFNOTE_PHYS32_ENTRY note and jump to it in 32-bit protected mode,
   paging off, %ebx = physical address of struct hvm_start_info. We zero .bss,
   identity-map the first GiB with 2 MiB pages, enable long mode with SSE and
   NX, and call halite_boot(start_info) on the main stack. The kernel then
   builds its real page tables. */
#include "layout.h"

#define CR0_MP (1 << 1)
#define CR0_EM (1 << 2)
#define CR0_WP (1 << 16)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define CR4_OSFXSR (1 << 9)
#define CR4_OSXMMEXCPT (1 << 10)
#define EFER_MSR 0xc0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)

    .section .note.Xen, "a", @note
    .balign 4
    .long 4                 /* name size: "Xen\0" */
    .long 8                 /* descriptor size */
    .long 18                /* XEN_ELFNOTE_PHYS32_ENTRY */
    .asciz "Xen"
    .balign 4
    .quad halite_pvh_entry
    .balign 4

    .section .text.boot, "ax", @progbits
    .code32
    .globl halite_pvh_entry
    .type halite_pvh_entry, @function
halite_pvh_entry:
    cli
    cld
    /* The first instruction's timestamp, for the boot-time figure. .data is
       loaded from the file, so it can be written before .bss is cleared. */
    rdtsc
    movl %eax, halite_boot_tsc
    movl %edx, halite_boot_tsc + 4
    movl %ebx, halite_start_info_address

    movl $__bss_start, %edi
    movl $__bss_end, %ecx
    subl %edi, %ecx
    xorl %eax, %eax
    rep stosb

    /* PML4[0] -> PDPT, PDPT[0] -> PD, PD[i] = i * 2 MiB, present + writable + large. */
    movl $boot_pdpt, %eax
    orl $3, %eax
    movl %eax, boot_pml4
    movl $boot_pd, %eax
    orl $3, %eax
    movl %eax, boot_pdpt
    xorl %ecx, %ecx
1:  movl %ecx, %eax
    shll $21, %eax
    orl $0x83, %eax
    movl %eax, boot_pd(, %ecx, 8)
    incl %ecx
    cmpl $512, %ecx
    jb 1b

    movl %cr4, %eax
    orl $(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
    movl %eax, %cr4
    movl $boot_pml4, %eax
    movl %eax, %cr3

    /* NX if the CPU has it (CPUID 0x80000001 EDX bit 20); the kernel refuses
       to run without it later, with a message. */
    movl $0x80000000, %eax
    cpuid
    xorl %esi, %esi
    cmpl $0x80000001, %eax
    jb 2f
    movl $0x80000001, %eax
    cpuid
    testl $(1 << 20), %edx
    jz 2f
    movl $EFER_NXE, %esi
2:  movl $EFER_MSR, %ecx
    rdmsr
    orl $EFER_LME, %eax
    orl %esi, %eax
    wrmsr

    movl %cr0, %eax
    andl $~CR0_EM, %eax
    orl $(CR0_PG | CR0_WP | CR0_MP), %eax
    movl %eax, %cr0

    lgdt boot_gdt_pointer
    ljmp $HALITE_KERNEL_CS, $long_mode

    .code64
long_mode:
    movw $HALITE_KERNEL_DS, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    xorl %eax, %eax
    movw %ax, %fs
    movw %ax, %gs
    movq $(halite_main_stack + HALITE_PAGE_SIZE + HALITE_MAIN_STACK_SIZE), %rsp
    xorl %ebp, %ebp  /* ends backtraces */
    /* Floating point in its ABI state whatever the firmware left: x87 control
       word 0x37f (double extended, exceptions masked), MXCSR 0x1f80. */
    fninit
    ldmxcsr default_mxcsr(%rip)
    movl halite_start_info_address, %edi
    call halite_boot
3:  cli
    hlt
    jmp 3b
    .size halite_pvh_entry, . - halite_pvh_entry

    .section .rodata.boot_gdt, "a", @progbits
    .balign 16
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff    /* 0x08: 64-bit code, ring 0 */
    .quad 0x00cf92000000ffff    /* 0x10: data, ring 0 */
boot_gdt_end:
boot_gdt_pointer:
    .word boot_gdt_end - boot_gdt - 1
    .long boot_gdt

default_mxcsr:
    .long 0x1f80

    .section .data.boot, "aw", @progbits
    .balign 8
    .globl halite_boot_tsc
halite_boot_tsc:
    .quad 0
    .globl halite_start_info_address
halite_start_info_address:
    .long 0

    .section .bss.boot_page_tables, "aw", @nobits
    .balign 4096
boot_pml4:
    .skip 4096
boot_pdpt:
    .skip 4096
boot_pd:
    .skip 4096

    /* main()'s stack: a guard page (left unmapped by the kernel), then the stack. */
    .section .bss.stacks, "aw", @nobits
    .balign 4096
    .globl halite_main_stack
halite_main_stack:
    .skip HALITE_PAGE_SIZE + HALITE_MAIN_STACK_SIZE
