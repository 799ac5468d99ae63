/* Constants shared by the boot assembly and C++ (plain #defines: this header is
   included by .S files). */
#ifndef HALITE_ARCH_LAYOUT_H
#define HALITE_ARCH_LAYOUT_H

#define HALITE_PAGE_SIZE 4096
/* The boot stack, which becomes main()'s stack, with a guard page below it. */
#define HALITE_MAIN_STACK_SIZE (128 * 1024)

/* GDT selectors; the SYSCALL/STAR layout needs data right after code. */
#define HALITE_KERNEL_CS 0x08
#define HALITE_KERNEL_DS 0x10
#define HALITE_TSS_SEL 0x18

/* hvm_start_info magic (Xen public/arch-x86/hvm/start_info.h). */
#define HALITE_PVH_MAGIC 0x336ec578

#endif
