#!/bin/sh
# SPDX-License-Identifier: MIT
# In the guest, as root: a setuid-root copy of setuid-probe run by an
# unprivileged user ignores LIBALLOC_BACKEND_PATH and LIBALLOC_DEBUG
# (AT_SECURE: the loader and the debug switch use secure_getenv), while a
# plain copy run by the same user honours both.
# Usage: setuid.sh PROBE MARKER-BACKEND.so
set -u
probe=$1 marker=$2
dir=/run/liballoc-setuid
nobody=65534

# /run is the harness' tmpfs; a fresh one makes sure that neither nosuid
# nor noexec is set where the setuid copy lives
mkdir -p $dir || exit 1
mount -t tmpfs -o mode=0755,suid,exec tmpfs $dir || exit 1
trap 'umount $dir; rmdir $dir' EXIT
grep " $dir " /proc/mounts
mkdir $dir/backends
cp "$marker" $dir/backends/
cp "$probe" $dir/probe-plain
cp "$probe" $dir/probe-setuid
chmod 0755 $dir/backends $dir/backends/* $dir/probe-plain
chmod 4755 $dir/probe-setuid
ls -l $dir $dir/backends

fail=0
run() { # NAME PROGRAM: run as nobody with both variables set
	# ASan builds: LSan cannot stop a setuid process (not dumpable)
	out=$(LIBALLOC_BACKEND_PATH=$dir/backends LIBALLOC_DEBUG=1 \
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		setpriv --reuid=$nobody --regid=$nobody --clear-groups "$2" 2>&1)
	s=$?
	echo "$out" | sed "s/^/$1: /"
	[ $s = 0 ] || { echo "$1: exit status $s"; fail=1; }
}
check() { # DESCRIPTION CONDITION...
	d=$1; shift
	if "$@"; then echo "ok: $d"; else echo "FAILED: $d"; fail=1; fi
}

run plain $dir/probe-plain
plain=$out
run setuid $dir/probe-setuid
setuid=$out

check "plain copy runs unprivileged, AT_SECURE 0" \
	sh -c "echo '$plain' | grep -q '^ruid=$nobody euid=$nobody at_secure=0'"
check "plain copy loads the marker backend from LIBALLOC_BACKEND_PATH" \
	sh -c "echo '$plain' | grep -qx 'backend=marker'"
check "plain copy honours LIBALLOC_DEBUG (debug lines logged)" \
	sh -c "echo '$plain' | grep -q '^debug_lines=[1-9]'"
check "setuid copy runs with euid 0 for uid $nobody, AT_SECURE 1" \
	sh -c "echo '$setuid' | grep -q '^ruid=$nobody euid=0 at_secure=1'"
check "setuid copy ignores LIBALLOC_BACKEND_PATH (no marker backend)" \
	sh -c "! echo '$setuid' | grep -q 'backend=marker'"
check "setuid copy ignores LIBALLOC_DEBUG (no debug line)" \
	sh -c "echo '$setuid' | grep -qx 'debug_lines=0'"
exit $fail
