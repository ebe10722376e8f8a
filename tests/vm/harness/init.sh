#!/bin/busybox sh
# PID 1 of the test guest (busybox, from the initramfs). It mounts the host
# root read-only over 9p, prepares a chroot in it and hands over to the
# guest agent, which runs under the host's own python3. Whatever happens, it
# ends with poweroff -f so that QEMU (-no-reboot) exits.

export PATH=/bin
/bin/busybox --install -s /bin

say() { echo "liballoc-vm-init: $*"; }
fail() {
	say "FAILED: $*"
	echo "$*" > /ctl/init-error 2>/dev/null
	sync
	poweroff -f
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

for m in $(cat /modules/order); do
	insmod "/modules/$m.ko" || fail "insmod $m (early 9p stack)"
done

# msize: 9p moves at most msize bytes per request; the default (8 KiB on
# older kernels) makes reading the host's binaries needlessly slow.
P9="trans=virtio,version=9p2000.L,msize=512000"
mount -t 9p -o "$P9" ctl /ctl || fail "mount ctl share"
# The host root does not change while a guest runs, so cache its metadata
# and pages (cache=loose); the read-write shares stay uncached so that
# files written by the host (screenshots) show up at once.
mount -t 9p -o "$P9,ro,cache=loose" hostroot /host || fail "mount host root"

H=/host
mount -t devtmpfs devtmpfs $H/dev || fail "mount $H/dev"
mkdir -p $H/dev/shm $H/dev/pts
mount -t tmpfs -o mode=1777 shm $H/dev/shm
mount -t devpts devpts $H/dev/pts
mount -t proc proc $H/proc || fail "mount $H/proc"
mount -t sysfs sysfs $H/sys || fail "mount $H/sys"
mount -t debugfs debugfs $H/sys/kernel/debug 2>/dev/null
# /run (not /tmp) takes the guest's writable scratch space: a tmpfs over
# the chroot's /tmp would hide host trees that live under /tmp.
mount -t tmpfs -o mode=0755 run $H/run || fail "mount $H/run"
V=$H/run/liballoc-vm
mkdir -p $V/ctl $V/results $V/tmp
chmod 1777 $V/tmp
mount --move /ctl $V/ctl || fail "move ctl share"
mount -t 9p -o "$P9" results $V/results || fail "mount results share"

. $V/ctl/boot.env
# -I -S: no site-packages scan and no user environment; the agent needs
# only the standard library, and every file read costs a 9p round trip.
chroot $H "$AGENT_PYTHON" -I -S "$AGENT" /run/liballoc-vm/ctl/job.json
rc=$?
[ $rc = 0 ] || say "guest agent exited with $rc"
sync
poweroff -f
