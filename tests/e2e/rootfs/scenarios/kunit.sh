# e2e-generations: 1
# Boot only: the KUnit suites built into the kernel run before /init, and
# the host harness parses their KTAP output from this boot's console log.

scenario_gen() {
	:
}
