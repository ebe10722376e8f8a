#!/bin/sh
# Test guest: runs gst-launch-1.0 -m on vivid's capture node and the
# display (the card with a connector: virtio_gpu's), found by name, with the plugin of this build.
#   pipeline.sh PLUGIN_DIR SRC_OPTS... -- ELEMENTS...
# "@CAM@" in the arguments becomes the camera node, "@DISP@" the display's.
# Frames: BGRx 640x480 at 30 fps (vivid's webcam input).
set -u
here=$(dirname "$0")
node=$here/../../../kernel/contig-display/tests/node.sh
plugin_dir=$1
shift
cam=$("$node" v4l2 vivid-000-vid-cap) || exit 1
# the display: the card with a connector (virtio_gpu's; vgem has none)
disp=""
for c in /sys/class/drm/card*-*; do
	[ -e "$c" ] && disp=/dev/dri/$(basename "${c%%-*}") && break
done
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
exec gst-launch-1.0 -m "$@"
