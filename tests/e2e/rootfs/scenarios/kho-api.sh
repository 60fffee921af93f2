# e2e-append: kho_scratch=192M
# e2e-generations: 2
# Mainline's KHO API in both of its forms, from modules written as mainline
# code is: kho_api_619 (6.16-7.0: kho_add_subtree(name, fdt), a tree found
# by path) and kho_api_71 (7.1: kho_add_subtree(name, blob, size), the size
# back from kho_retrieve_subtree(), kho_alloc_preserve(),
# kho_unpreserve_free(), kho_restore_free()).  Every module must load:
# the libfdt calls they make are exported.

scenario_gen() {
	case "$1" in
	1)
		e2e_check kho-api-619-load insmod /modules/kho_api_619.ko
		e2e_check kho-api-71-load insmod /modules/kho_api_71.ko
		e2e_expect_log subtree-fdt-form "kho_api_619: PASS subtree kho-api-619 added"
		e2e_expect_log subtree-fdt-form-refuses-non-tree \
			"kho_api_619: PASS kho_add_subtree(name, fdt) refuses memory that is not a tree"
		e2e_expect_log subtree-blob-form "kho_api_71: PASS subtree kho-api-71 added"
		e2e_check activate sh -c 'echo 1 > /sys/kernel/kho/active'
		e2e_kexec_next
		;;
	2)
		e2e_check kho-api-619-load insmod /modules/kho_api_619.ko
		e2e_check kho-api-71-load insmod /modules/kho_api_71.ko
		e2e_expect_log retrieve-fdt-form "kho_api_619: PASS kho_retrieve_subtree(name, &phys) found the tree"
		e2e_expect_log pages-by-path "kho_api_619: PASS pages at /memory/pages (fdt_path_offset) came back intact"
		e2e_expect_log folio-by-path "kho_api_619: PASS the order-2 folio at /memory/folio came back intact"
		e2e_expect_log retrieve-blob-form "kho_api_71: PASS kho_retrieve_subtree(name, &phys, &size) found a 40-byte blob"
		e2e_expect_log vmalloc-in-blob "kho_api_71: PASS the 5-page vmalloc area named in the blob came back intact"
		e2e_expect_log restore-free "kho_api_71: PASS kho_restore_free() took the spare buffer"
		e2e_expect_log unpreserve-free "kho_api_71: PASS kho_unpreserve_free() kept its buffer out of the handover"
		e2e_check no-api-failures sh -c '! dmesg | grep -q "kho_api_[0-9]*: FAIL"'
		;;
	esac
}
