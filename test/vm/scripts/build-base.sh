#!/bin/sh
# Build the cached Debian 12 boot-lab base: a debootstrapped rootfs with the
# Debian kernel's modules (depmod run), the kernel image, and the bare module
# tree used by the busybox initramfs. Idempotent: does nothing when OUT/done
# exists. Builds into OUT.tmp.$$ and renames, so a killed build leaves no
# half-made cache behind.
#
# usage: build-base.sh OUT MIRROR SUITE KERNEL_PKG PACKAGES(comma list)
set -eu
out=$1 mirror=$2 suite=$3 kpkg=$4 pkgs=$5
[ -e "$out/done" ] && exit 0
tmp="$out.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT INT TERM

t0=$(date +%s)
debootstrap --variant=minbase --include="$pkgs" "$suite" "$tmp/rootfs" "$mirror" >"$tmp/debootstrap.log" 2>&1 || {
  tail -n 40 "$tmp/debootstrap.log" >&2; exit 1; }
t1=$(date +%s)

# Kernel: download the .deb (apt-get download writes into the cwd).
mkdir -p "$tmp/kdeb" "$tmp/kernel"
(cd "$tmp/kdeb" && apt-get download "$kpkg" >/dev/null)
dpkg-deb -x "$tmp"/kdeb/*.deb "$tmp/kernel"
kver=$(ls "$tmp/kernel/lib/modules")
cp "$tmp/kernel/boot/vmlinuz-$kver" "$tmp/vmlinuz"
mkdir -p "$tmp/rootfs/lib/modules"
cp -a "$tmp/kernel/lib/modules/$kver" "$tmp/rootfs/lib/modules/"
chroot "$tmp/rootfs" depmod "$kver"
# Keep the module tree (with depmod's indexes) for the initramfs builder.
mkdir -p "$tmp/modules/lib/modules"
cp -a "$tmp/rootfs/lib/modules/$kver" "$tmp/modules/lib/modules/"
rm -rf "$tmp/kdeb" "$tmp/kernel"

# A usable console: no root password, a hostname, empty fstab (root comes from
# the initramfs, mounted rw).
chroot "$tmp/rootfs" passwd -d root >/dev/null
echo mpgen-lab >"$tmp/rootfs/etc/hostname"
: >"$tmp/rootfs/etc/fstab"
# Drop apt caches: they are not needed in the image and cost copy time.
rm -rf "$tmp/rootfs/var/cache/apt/archives/"*.deb "$tmp/rootfs/var/lib/apt/lists/"*_* 2>/dev/null || true
t2=$(date +%s)

echo "$kver" >"$tmp/kver"
printf 'debootstrap_s=%s\nkernel_s=%s\n' $((t1 - t0)) $((t2 - t1)) >"$tmp/timings"
touch "$tmp/done"
rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT INT TERM
