# SPDX-License-Identifier: GPL-2.0
#
# Kbuild rule for freestanding C++ (.cpp) objects.  Include it from a Kbuild
# file that lists .o files built from .cpp sources:
#
#	include $(srctree)/kho/scripts/Makefile.cxx
#
# Every code-generation flag comes from Kbuild's own C flags ($(_c_flags),
# the same set a .c file in this directory gets: retpolines, IBT, stack
# protector, patchable entries, code model ...).  Only options that are
# meaningless for C++ are dropped; the C++ dialect and runtime options are
# added.  Kernel headers are never on the include path: the C++ reaches the
# kernel through extern "C" shims only.

ifndef kho_cxx_included
kho_cxx_included := y

kho_root := $(srctree)/kho

# The C++ compiler of the same family and version as $(CC): Kconfig probed
# the flags against $(CC).
KCXX = $(if $(CONFIG_CC_IS_CLANG),$(patsubst %clang,%clang++,$(CC)),$(patsubst %gcc,%g++,$(CC)))

kho_cxx_c_only := -std=gnu11 -Wstrict-prototypes -Wold-style-definition \
	-Wmissing-prototypes -Wdeclaration-after-statement -Wno-pointer-sign \
	-Wno-override-init -Wenum-conversion -Wimplicit-function-declaration \
	-Wimplicit-int -Wmissing-parameter-type -Wold-style-declaration \
	-Werror=implicit-function-declaration -Werror=implicit-int \
	-Werror=strict-prototypes -Werror=incompatible-pointer-types \
	-Werror=designated-init -Wpointer-sign -Wno-alloc-size-larger-than \
	-Wpacked-not-aligned -Wmissing-include-dirs

kho_cxx_flags := -std=gnu++20 -nostdinc -fno-exceptions -fno-rtti \
	-fno-threadsafe-statics -fno-use-cxa-atexit \
	-Wno-missing-field-initializers \
	-I$(kho_root)/cxx -I$(kho_root)/include -I$(kho_root)

cxx_flags = -Wp,-MMD,$(depfile) \
	$(filter-out $(kho_cxx_c_only),$(_c_flags) $(modkern_cflags)) \
	$(basename_flags) $(modname_flags) $(kho_cxx_flags)

# Inline, template and virtual functions land in COMDAT .text._Z* sections,
# which vmlinux.lds does not place: they would become orphans after _etext,
# outside what unwinders, ftrace and kprobes treat as text.  Rename them to
# .text, and drop the groups: GCC lists every function's patchable entry in
# one section outside the groups, so a group the linker discards would leave
# it pointing at nothing.  Duplicates stay as weak definitions.
cmd_kho_cxx_fold_text = \
	$(OBJCOPY) -R .group $$($(READELF) -SW $@ | \
		sed -n 's/.*\] \(\.text\._Z[^ ]*\) .*/--rename-section \1=.text/p') $@

quiet_cmd_cc_o_cpp = C++ $(quiet_modtag) $@
      cmd_cc_o_cpp = $(KCXX) $(cxx_flags) -c -o $@ $< ; \
		$(cmd_kho_cxx_fold_text) $(cmd_objtool)

# No C++ runtime the kernel lacks: global constructors, exception tables,
# atexit, guard variables, unwinder or throwing new.
quiet_cmd_kho_cxx_check = CXXCHK  $@
      cmd_kho_cxx_check = $(CONFIG_SHELL) $(kho_root)/scripts/cxx-check.sh \
		--readelf $(READELF) --nm $(NM) $@

define rule_cc_o_cpp
	$(call cmd_and_fixdep,cc_o_cpp)
	$(call cmd,kho_cxx_check)
	$(call cmd,gen_objtooldep)
	$(call cmd,record_mcount)
endef

$(obj)/%.o: $(src)/%.cpp FORCE
	$(call if_changed_rule,cc_o_cpp)

endif
