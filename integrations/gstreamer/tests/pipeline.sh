#!/bin/sh
# Test guest: runs gst-launch-1.0 -m on vivid's capture node and the
# display (the card of DRM driver NAME, else the first card with a
# connector: virtio_gpu's), found by name, with the plugin of this build.
#   pipeline.sh [--display-driver NAME] [--screenshot-after S CMD] PLUGIN_DIR PIPELINE...
# "@CAM@" in the arguments becomes the camera node, "@DISP@" the display's.
# --screenshot-after: CMD runs S seconds after the display shows a first
# frame, with gst-launch stopped meanwhile; the exit status is gst-launch's, or 1 if CMD failed.
set -u
after="" shot="" driver=""
if [ "${1:-}" = --display-driver ]; then
	driver=$2
	shift 2
fi
if [ "${1:-}" = --screenshot-after ]; then
	after=$2 shot=$3
	shift 3
fi
here=$(dirname "$0")
node=$here/../../../kernel/contig-display/tests/node.sh
plugin_dir=$1
shift
cam=$("$node" v4l2 vivid-000-vid-cap) || exit 1
# the display: the card with a connector (virtio_gpu's; vgem has none)
disp=""
if [ -n "$driver" ]; then
	disp=$("$node" drm "$driver") || exit 1
else
	for c in /sys/class/drm/card*-*; do
		[ -e "$c" ] && disp=/dev/dri/$(basename "${c%%-*}") && break
	done
fi
[ -n "$disp" ] || { echo "pipeline.sh: no DRM card with a connector" >&2; exit 1; }
export GST_PLUGIN_PATH="$plugin_dir"
# the registry under $HOME is read-only in the guest
export GST_REGISTRY="${TMPDIR:-/tmp}/gst-registry.bin"
src="" rest=""
for a in "$@"; do
	a=$(printf '%s' "$a" | sed -e "s|@CAM@|$cam|g" -e "s|@DISP@|$disp|g")
	rest="$rest '$a'"
done
echo "camera $cam, display $disp"
eval "set -- $rest"
log=$(mktemp) || exit 1
trap 'rm -f "$log"' EXIT
# line-buffered: its "PLAYING" line must reach the file while it runs
stdbuf -oL -eL gst-launch-1.0 -m "$@" >"$log" 2>&1 &
pid=$!
shot_status=0
if [ -n "$shot" ]; then
	# until a plane of the display scans out a framebuffer (the first
	# frame shown: start-up takes seconds on a loaded host), then S more
	state=/sys/kernel/debug/dri/${disp#/dev/dri/card}/state
	end=$(($(date +%s) + 180))
	while ! grep -q "fb=[1-9]" "$state" && kill -0 "$pid" 2>/dev/null &&
		[ "$(date +%s)" -lt $end ]; do
		sleep 0.1
	done
	sleep "$after"
	# gst-launch stopped meanwhile: a screenshot served late on a loaded
	# host still finds the frame on screen (kmssink would turn the plane
	# off at the end); the live source drops what it captures meanwhile
	kill -STOP "$pid"
	sh -c "$shot" || shot_status=1
	kill -CONT "$pid"
fi
wait "$pid"
status=$?
# state changes and stream status are noise here
grep -v -e "(state-changed)" -e "(stream-status)" "$log"
[ $status = 0 ] || exit $status
exit $shot_status
