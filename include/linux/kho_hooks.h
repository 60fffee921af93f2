/* SPDX-License-Identifier: GPL-2.0 */
/* What the hooks (scripts/hooks/) call or expose, and no more: kernel files compile it. */
#ifndef _LINUX_KHO_HOOKS_H
#define _LINUX_KHO_HOOKS_H

#include <linux/memblock.h>

struct boot_params;
struct kexec_buf;
struct kimage;
struct trace_array;
struct trace_buffer;
struct trace_seq;
void register_pid_events(struct trace_array *tr);	/* trace_events.c, for set_event_pid */

#ifdef CONFIG_KEXEC_HANDOVER
extern bool kho_scratch_only;
phys_addr_t kho_memblock_find(phys_addr_t size, phys_addr_t align, phys_addr_t start,
			      phys_addr_t end, int nid, enum memblock_flags flags,
			      phys_addr_t (*find)(phys_addr_t, phys_addr_t, phys_addr_t,
						  phys_addr_t, int, enum memblock_flags));
void kho_memory_init(void);
int kho_kexec_file_prepare(struct kimage *image);
void kho_kexec_constrain(struct kexec_buf *kbuf);
int kho_kexec_load_check(struct kimage *image, unsigned long flags);
int kho_kexec_exec_check(struct kimage *image);
int kho_offline_check(unsigned long start_pfn, unsigned long nr_pages, char **reason);
void kho_x86_parse_setup_data(u32 type, u64 pa_data, u32 data_len);
unsigned long kho_x86_setup_data_size(struct kimage *image);
unsigned long kho_x86_add_setup_data(struct kimage *image, struct boot_params *params,
				     unsigned long params_load_addr, unsigned long setup_data_offset);
#else
#define kho_scratch_only false
static inline phys_addr_t kho_memblock_find(phys_addr_t size, phys_addr_t align, phys_addr_t start,
		phys_addr_t end, int nid, enum memblock_flags f, void *find) { return 0; }
static inline void kho_memory_init(void) { }
static inline int kho_kexec_file_prepare(struct kimage *image) { return 0; }
static inline void kho_kexec_constrain(struct kexec_buf *kbuf) { }
static inline int kho_kexec_load_check(struct kimage *image, unsigned long flags) { return 0; }
static inline int kho_kexec_exec_check(struct kimage *image) { return 0; }
static inline int kho_offline_check(unsigned long pfn, unsigned long nr, char **why) { return 0; }
static inline void kho_x86_parse_setup_data(u32 type, u64 pa_data, u32 data_len) { }
static inline unsigned long kho_x86_setup_data_size(struct kimage *image) { return 0; }
static inline unsigned long kho_x86_add_setup_data(struct kimage *image, struct boot_params *p,
		unsigned long load_addr, unsigned long offset) { return 0; }
#endif

#if defined(CONFIG_KEXEC_HANDOVER) && defined(CONFIG_ARM64)
void kho_of_scan_chosen(const void *fdt, int chosen);
int kho_of_add_chosen(const struct kimage *image, void *fdt, int chosen);
#else
static inline void kho_of_scan_chosen(const void *fdt, int chosen) { }
static inline int kho_of_add_chosen(const struct kimage *image, void *fdt, int chosen)
{
	return 0;
}
#endif

#ifdef CONFIG_KEXEC_HANDOVER_FTRACE
bool kho_ftrace_frozen(void);
unsigned int kho_trace_array_flags(void);
/* Records from before the kexec have negative time stamps. */
static inline bool kho_trace_ts_before(u64 a, u64 b) { return (s64)a < (s64)b; }
bool kho_trace_print_time(struct trace_seq *s, bool in_ns, u64 ts);

struct ring_buffer_kho_page {
	void *data;
	unsigned int events;	/* unread data events */
	unsigned int bytes;	/* its commit */
};
int ring_buffer_kho_pages(struct trace_buffer *buffer, int cpu,
			  int (*fn)(void *ctx, void *page, unsigned int read, bool commit), void *ctx);
void ring_buffer_kho_adopt(struct trace_buffer *buffer, int cpu,
			   const struct ring_buffer_kho_page *pages, unsigned int nr,
			   unsigned int tail, unsigned int read, u64 read_ts);
#else
static inline bool kho_ftrace_frozen(void) { return false; }
static inline unsigned int kho_trace_array_flags(void) { return 0; }
static inline bool kho_trace_ts_before(u64 a, u64 b) { return a < b; }
static inline bool kho_trace_print_time(struct trace_seq *s, bool in_ns, u64 ts) { return false; }
#endif

#ifdef CONFIG_LIVEUPDATE
struct folio;
struct inode;
int shmem_insert_folio(struct inode *inode, struct folio *folio, pgoff_t index);	/* mm/shmem.c */
#endif

#endif /* _LINUX_KHO_HOOKS_H */
