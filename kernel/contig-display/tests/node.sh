#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Prints a device node found by driver, never by number (numbering follows
# load order):
#   node.sh drm DRIVER      the card node of DRM driver DRIVER
#   node.sh v4l2 NAME       the /dev/video* whose sysfs name is NAME
# Exit status 1 (and a message) if there is none.
set -u
case ${1:-} in
drm)
	for d in /sys/class/drm/card*; do
		[ -e "$d/device/driver" ] || continue
		case $d in *-*) continue ;; esac # connectors
		if [ "$(basename "$(readlink -f "$d/device/driver")")" = "$2" ]; then
			echo "/dev/dri/$(basename "$d")"
			exit 0
		fi
	done ;;
v4l2)
	for d in /sys/class/video4linux/video*; do
		if [ "$(cat "$d/name")" = "$2" ]; then
			echo "/dev/$(basename "$d")"
			exit 0
		fi
	done ;;
*)
	echo "usage: node.sh drm DRIVER | node.sh v4l2 NAME" >&2
	exit 2 ;;
esac
echo "node.sh: no $1 node for $2" >&2
exit 1
