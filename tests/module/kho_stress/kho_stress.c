// SPDX-License-Identifier: GPL-2.0
/*
 * kho_stress: preserve, unpreserve and hand over while everything else
 * races (tests/e2e/rootfs/scenarios/kho-stress.sh).
 *
 * Outgoing (run=1): a thread preserves and unpreserves random folios and
 * adds and removes subtrees, as fast as it can, while the handover is idle
 * or serializing; its notifier stops it from DUMP to ABORT (unpreserving
 * while active is a caller's bug).  run=0 stops the thread.  At every DUMP
 * the notifier writes a table of what is preserved now, with checksums,
 * and of folios it gave back, into a preserved folio that the subtree
 * "kho-stress" points to.
 *
 * Incoming (restore=1): two threads restore the table's folios at once,
 * while the test writes finish: every preserved folio is restored at most
 * once, with its contents, or freed by finish; no folio given back is
 * restorable.  Results: "kho_stress: PASS|FAIL ..." lines.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/crc32.h>
#include <linux/kexec_handover.h>
#include <linux/kthread.h>
#include <linux/libfdt.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/random.h>

#define SLOTS		64
#define RELEASED	64
#define SUBTREES	4
#define TABLE_MAGIC	0x6b737472

struct stress_table {
	u32 magic;
	u32 nr_kept, nr_released;
	struct { u64 phys; u32 order, crc; } kept[SLOTS];
	u64 released[RELEASED];
};

static bool run;
static bool restore;
static struct task_struct *worker;
static DEFINE_MUTEX(stress_lock);	/* everything below */
static bool frozen;			/* from DUMP to ABORT */
static struct folio *slot[SLOTS];
/*
 * The last folios given back, held until they leave this ring: freed, one
 * could come back preserved by someone else (ftrace's positions block and
 * kstate's stream are allocated at each activation), and then the next
 * kernel rightly restores it.
 */
static struct folio *released[RELEASED];
static unsigned int nr_released;
static struct folio *table_folio, *fdt_folio;
static bool table_preserved, fdt_preserved, subtree_registered;
static struct folio *subtree[SUBTREES];	/* preserved once, added and removed */
static bool subtree_added[SUBTREES];
static unsigned long rounds;

static u32 folio_crc(struct folio *folio)
{
	return crc32_le(~0, folio_address(folio), folio_size(folio));
}

static void stress_step(void)
{
	unsigned int i = get_random_u32_below(SLOTS), s = get_random_u32_below(SUBTREES);
	char name[24];
	int err;

	guard(mutex)(&stress_lock);
	if (frozen)
		return;
	rounds++;
	if (slot[i]) {
		struct folio **held = &released[nr_released++ % RELEASED];

		kho_unpreserve_folio(slot[i]);
		if (*held)
			folio_put(*held);
		*held = slot[i];
		slot[i] = NULL;
	} else {
		slot[i] = folio_alloc(GFP_KERNEL, get_random_u32_below(4));
		if (slot[i]) {
			get_random_bytes(folio_address(slot[i]), folio_size(slot[i]));
			err = kho_preserve_folio(slot[i]);
			if (err) {
				pr_err("FAIL preserve while idle or serializing: %d\n", err);
				folio_put(slot[i]);
				slot[i] = NULL;
			}
		}
	}
	snprintf(name, sizeof(name), "kho-stress-%u", s);
	if (subtree_added[s])
		kho_remove_subtree(folio_address(subtree[s]));
	else if (kho_add_subtree(name, folio_address(subtree[s]), folio_size(subtree[s])))
		pr_err("FAIL adding subtree %s while idle or serializing\n", name);
	subtree_added[s] = !subtree_added[s];
}

static int stress_thread(void *arg)
{
	while (!kthread_should_stop()) {
		stress_step();
		cond_resched();
	}
	return 0;
}

/* Under stress_lock, at DUMP: what is preserved now. */
static void write_table(void)
{
	struct stress_table *t = folio_address(table_folio);
	unsigned int i;

	t->magic = TABLE_MAGIC;
	t->nr_kept = 0;
	for (i = 0; i < SLOTS; i++) {
		if (!slot[i])
			continue;
		t->kept[t->nr_kept].phys = PFN_PHYS(folio_pfn(slot[i]));
		t->kept[t->nr_kept].order = folio_order(slot[i]);
		t->kept[t->nr_kept].crc = folio_crc(slot[i]);
		t->nr_kept++;
	}
	t->nr_released = min(nr_released, RELEASED);
	for (i = 0; i < t->nr_released; i++)
		t->released[i] = PFN_PHYS(folio_pfn(released[i]));
}

static int stress_notify(struct notifier_block *nb, unsigned long event, void *data)
{
	guard(mutex)(&stress_lock);
	frozen = event == KEXEC_KHO_DUMP;
	/* Stay loaded while the handover refers to our memory. */
	if (frozen) {
		__module_get(THIS_MODULE);
		write_table();
	} else {
		module_put(THIS_MODULE);
	}
	return NOTIFY_DONE;
}
static struct notifier_block stress_nb = { .notifier_call = stress_notify };

static int run_set(const char *val, const struct kernel_param *kp)
{
	bool want;
	int err = kstrtobool(val, &want);

	if (err)
		return err;
	if (want && !worker) {
		worker = kthread_run(stress_thread, NULL, "kho_stress");
		if (IS_ERR(worker)) {
			err = PTR_ERR(worker);
			worker = NULL;
			return err;
		}
	} else if (!want && worker) {
		kthread_stop(worker);
		worker = NULL;
		pr_info("stopped after %lu rounds\n", rounds);
	}
	run = want;
	return 0;
}
static const struct kernel_param_ops run_ops = { .set = run_set, .get = param_get_bool };
module_param_cb(run, &run_ops, &run, 0644);
MODULE_PARM_DESC(run, "1: preserve and unpreserve in a loop; 0: stop");
module_param(restore, bool, 0444);
MODULE_PARM_DESC(restore, "restore the previous kernel's table with two racing threads");

/* ---- Incoming ---- */

static const struct stress_table *old;
static atomic_t restored = ATOMIC_INIT(0), bad = ATOMIC_INIT(0);
static struct completion restorers_done[2];

static int restore_thread(void *arg)
{
	struct completion *done = arg;

	for (unsigned int i = 0; i < old->nr_kept; i++) {
		struct folio *f = kho_restore_folio(old->kept[i].phys);

		if (!f)
			continue;	/* the other thread's, or freed by finish */
		if (folio_order(f) != old->kept[i].order || folio_crc(f) != old->kept[i].crc)
			atomic_inc(&bad);
		atomic_inc(&restored);
		folio_put(f);
		cond_resched();
	}
	complete(done);
	return 0;
}

static void restore_previous(void)
{
	struct task_struct *t[2];
	phys_addr_t phys;
	struct folio *tf;
	const u64 *table;
	int len;

	if (kho_retrieve_subtree("kho-stress", &phys) || !(tf = kho_restore_folio(phys))) {
		pr_err("FAIL restore: no kho-stress subtree\n");
		return;
	}
	table = fdt_getprop(folio_address(tf), 0, "table", &len);
	phys = table && len == sizeof(*table) ? *table : 0;
	folio_put(tf);
	tf = phys ? kho_restore_folio(phys) : NULL;
	old = tf ? folio_address(tf) : NULL;
	if (!old || old->magic != TABLE_MAGIC || old->nr_kept > SLOTS || old->nr_released > RELEASED) {
		pr_err("FAIL restore: table missing or malformed\n");
		goto out;
	}
	pr_info("restoring %u folios with %zu threads\n", old->nr_kept, ARRAY_SIZE(t));
	for (unsigned int i = 0; i < ARRAY_SIZE(t); i++) {
		init_completion(&restorers_done[i]);
		t[i] = kthread_run(restore_thread, &restorers_done[i], "kho_stress_restore");
		if (IS_ERR(t[i]))
			complete(&restorers_done[i]);
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(t); i++)
		wait_for_completion(&restorers_done[i]);
	for (unsigned int i = 0; i < old->nr_released; i++) {
		bool kept = false;

		for (unsigned int j = 0; j < old->nr_kept; j++)
			kept |= old->kept[j].phys == old->released[i];
		if (!kept && kho_restore_folio(old->released[i])) {
			pr_err("FAIL restore: folio at %#llx given back before the kexec is restorable\n",
			       old->released[i]);
			atomic_inc(&bad);
		}
	}
	if (atomic_read(&bad))
		pr_err("FAIL restore: %d folios wrong\n", atomic_read(&bad));
	else
		pr_info("PASS restore: %d of %u folios restored intact, none twice, none given back\n",
			atomic_read(&restored), old->nr_kept);
out:
	if (tf)
		folio_put(tf);
}

/* An empty tree in a preserved page, for adding and removing as a subtree. */
static int empty_tree(struct folio **out)
{
	struct folio *folio = folio_alloc(GFP_KERNEL | __GFP_ZERO, 0);
	void *fdt;
	int err;

	if (!folio)
		return -ENOMEM;
	fdt = folio_address(folio);
	err = fdt_create(fdt, PAGE_SIZE);
	err = err ?: fdt_finish_reservemap(fdt);
	err = err ?: fdt_begin_node(fdt, "");
	err = err ?: fdt_end_node(fdt);
	err = err ?: fdt_finish(fdt);
	err = err ? -EINVAL : kho_preserve_folio(folio);
	if (err) {
		folio_put(folio);
		return err;
	}
	*out = folio;
	return 0;
}

/* The table and the subtree pointing at it, preserved once. */
static int preserve_table(void)
{
	u64 phys;
	void *fdt;
	int err;

	table_folio = folio_alloc(GFP_KERNEL | __GFP_ZERO, get_order(sizeof(struct stress_table)));
	fdt_folio = folio_alloc(GFP_KERNEL | __GFP_ZERO, 0);
	if (!table_folio || !fdt_folio)
		return -ENOMEM;
	fdt = folio_address(fdt_folio);
	phys = PFN_PHYS(folio_pfn(table_folio));
	err = fdt_create(fdt, PAGE_SIZE);
	err = err ?: fdt_finish_reservemap(fdt);
	err = err ?: fdt_begin_node(fdt, "");
	err = err ?: fdt_property(fdt, "table", &phys, sizeof(phys));
	err = err ?: fdt_end_node(fdt);
	err = err ?: fdt_finish(fdt);
	if (err)
		return -EINVAL;
	for (unsigned int i = 0; !err && i < SUBTREES; i++)
		err = empty_tree(&subtree[i]);
	if (err)
		return err;
	err = kho_preserve_folio(table_folio);
	table_preserved = !err;
	err = err ?: kho_preserve_folio(fdt_folio);
	fdt_preserved = table_preserved && !err;
	err = err ?: kho_add_subtree("kho-stress", fdt);
	subtree_registered = fdt_preserved && !err;
	return err ?: register_kho_notifier(&stress_nb);
}

static void release_all(void)
{
	unregister_kho_notifier(&stress_nb);
	if (subtree_registered)
		kho_remove_subtree(folio_address(fdt_folio));
	for (unsigned int i = 0; i < SUBTREES; i++) {
		if (!subtree[i])
			continue;
		if (subtree_added[i])
			kho_remove_subtree(folio_address(subtree[i]));
		kho_unpreserve_folio(subtree[i]);
		folio_put(subtree[i]);
	}
	for (unsigned int i = 0; i < SLOTS; i++) {
		if (slot[i]) {
			kho_unpreserve_folio(slot[i]);
			folio_put(slot[i]);
		}
	}
	for (unsigned int i = 0; i < RELEASED; i++)
		if (released[i])
			folio_put(released[i]);
	if (table_preserved)
		kho_unpreserve_folio(table_folio);
	if (fdt_preserved)
		kho_unpreserve_folio(fdt_folio);
	if (table_folio)
		folio_put(table_folio);
	if (fdt_folio)
		folio_put(fdt_folio);
}

static int __init kho_stress_init(void)
{
	int err;

	if (restore) {
		restore_previous();
		return 0;
	}
	err = preserve_table();
	if (err) {
		pr_err("FAIL preserve: %d\n", err);
		release_all();
	}
	return err;
}

static void __exit kho_stress_exit(void)
{
	if (worker)
		kthread_stop(worker);
	if (!restore)
		release_all();
}

module_init(kho_stress_init);
module_exit(kho_stress_exit);
MODULE_DESCRIPTION("Stress test of Kexec HandOver: preserve and unpreserve while everything races");
MODULE_LICENSE("GPL");
