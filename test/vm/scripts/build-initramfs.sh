#!/bin/sh
# Build a busybox (busybox-static) initramfs for the boot lab.
#
# usage: build-initramfs.sh ROOTFS KVER OUT.cpio.gz boot|guest [MODULE...]
#
#   boot   insmods the virtio + ext4 stack, mounts /dev/vda read-write and
#          switch_roots to /sbin/init (systemd of the Debian image).
#   guest  never leaves the initramfs: loads the virtio stack, virtio_net and
#          the given MODULEs (with dependencies, and a modules.dep so that
#          `modprobe` works), then runs /mpgen/run.sh between console markers
#          and powers off. Real iproute2 `ip` and `tc` (with their libraries)
#          come from ROOTFS, so `ip -j` and `tc -j` work. A second cpio with
#          /mpgen/run.sh and other files is appended per test.
set -eu
rootfs=$1 kver=$2 out=$3 mode=$4
shift 4
moddir="$rootfs/lib/modules/$kver"
st=$(mktemp -d)
trap 'rm -rf "$st"' EXIT INT TERM
mkdir -p "$st/bin" "$st/sbin" "$st/proc" "$st/sys" "$st/dev" "$st/newroot" "$st/run" "$st/tmp" "$st/mpgen" "$st/lib/modules/$kver"
cp /bin/busybox "$st/bin/busybox"
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$st/bin/$a"; done

# Modules with their dependencies, in load order, as host modprobe resolves them.
stack="crc32c_generic virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk crc16 mbcache jbd2 ext4"
[ "$mode" = guest ] && stack="crc32c_generic virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_net $*"
: >"$st/load-order"
for m in $stack; do
  modprobe -S "$kver" -d "$rootfs" --show-depends "$m" | while read -r verb path _; do
    [ "$verb" = insmod ] || continue
    rel=${path#"$moddir"/}
    if [ ! -e "$st/lib/modules/$kver/$rel" ]; then
      mkdir -p "$(dirname "$st/lib/modules/$kver/$rel")"
      case "$path" in
      *.xz) xz -dc "$path" >"$st/lib/modules/$kver/${rel%.xz}"; rel=${rel%.xz} ;;
      *) cp "$path" "$st/lib/modules/$kver/$rel" ;;
      esac
      echo "$rel" >>"$st/load-order"
    fi
  done
done
cp "$moddir/modules.order" "$moddir/modules.builtin" "$moddir/modules.builtin.modinfo" "$st/lib/modules/$kver/" 2>/dev/null || true
depmod -b "$st" "$kver"

if [ "$mode" = guest ]; then
  # iproute2 with its shared libraries, taken from the Debian rootfs
  for bin in /sbin/ip /sbin/tc; do
    for lib in $(chroot "$rootfs" ldd "$bin" | awk '/=>/ {print $3} /^\t\/lib64/ {print $1}'); do
      mkdir -p "$st$(dirname "$lib")"
      cp -L "$rootfs$lib" "$st$lib"
    done
    rm -f "$st/bin/$(basename "$bin")"
    cp "$rootfs$bin" "$st/sbin/$(basename "$bin")"
  done
fi

cat >"$st/init" <<INIT
#!/bin/busybox sh
export PATH=/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
while read -r m; do insmod "/lib/modules/$kver/\$m" 2>/dev/null; done </load-order
INIT
if [ "$mode" = boot ]; then
  cat >>"$st/init" <<'INIT'
i=0
while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
mount -o rw /dev/vda /newroot || { echo "MPGEN-INITRAMFS: cannot mount /dev/vda"; poweroff -f; }
umount /proc /sys
mount --move /dev /newroot/dev
exec switch_root /newroot /sbin/init
INIT
else
  cat >>"$st/init" <<'INIT'
mount -t tmpfs tmp /tmp
ip link set lo up
echo "===MPGEN-BEGIN guest==="
sh /prelude.sh
echo "===MPGEN-RC $?==="
echo "===MPGEN-END guest==="
poweroff -f
INIT
fi
# busybox sh runs its own applets before PATH; functions win over applets, so
# `ip` and `tc` in the test script mean the real iproute2.
cat >"$st/prelude.sh" <<'PRELUDE'
ip() { /sbin/ip "$@"; }
tc() { /sbin/tc "$@"; }
. /mpgen/run.sh
PRELUDE
chmod 755 "$st/init"
# A per-process temporary name: two builders of the same initramfs never write one file.
(cd "$st" && find . | cpio -o -H newc --quiet | gzip -1) >"$out.tmp.$$"
mv "$out.tmp.$$" "$out"
