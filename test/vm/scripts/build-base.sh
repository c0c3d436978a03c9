#!/bin/sh
# Build the cached Debian 12 boot-lab base: a debootstrapped rootfs with the
# Debian kernel's modules (pruned of hardware a virtio guest lacks, depmod run)
# and the kernel image. Idempotent: does nothing when OUT/done
# exists. Builds into OUT.tmp.$$ and renames, so a killed build leaves no
# half-made cache behind.
#
# usage: build-base.sh OUT MIRROR SUITE KERNEL_PKG PACKAGES(comma list)
set -eu
out=$1 mirror=$2 suite=$3 kpkg=$4 pkgs=$5
[ -e "$out/done" ] && exit 0
# Two test files may ask for the same image at once on a new machine: one builds,
# the other waits and then finds it done (without this, the second build's
# rm -rf "$out" could delete the image the first is already booting).
exec 9>"$out.lock"
flock 9
[ -e "$out/done" ] && exit 0
tmp="$out.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT INT TERM

t0=$(date +%s)
debootstrap --variant=minbase --include="$pkgs" "$suite" "$tmp/rootfs" "$mirror" >"$tmp/debootstrap.log" 2>&1 || {
  tail -n 20 "$tmp/debootstrap.log" >&2
  cp "$tmp/rootfs/debootstrap/debootstrap.log" "$out.failed.log" 2>/dev/null && echo "debootstrap log kept in $out.failed.log" >&2
  exit 1; }
t1=$(date +%s)

# Kernel: download the .deb (apt-get download writes into the cwd).
mkdir -p "$tmp/kdeb" "$tmp/kernel"
(cd "$tmp/kdeb" && apt-get download "$kpkg" >/dev/null)
dpkg-deb -x "$tmp"/kdeb/*.deb "$tmp/kernel"
kver=$(ls "$tmp/kernel/lib/modules")
cp "$tmp/kernel/boot/vmlinuz-$kver" "$tmp/vmlinuz"
mkdir -p "$tmp/rootfs/lib/modules"
cp -a "$tmp/kernel/lib/modules/$kver" "$tmp/rootfs/lib/modules/"
# A qemu guest with virtio has no use for GPU, sound, wireless, media, RDMA or
# staging drivers; dropping them halves the image and every per-test copy.
m="$tmp/rootfs/lib/modules/$kver/kernel"
rm -rf "$m/drivers/gpu" "$m/drivers/media" "$m/drivers/net/wireless" "$m/drivers/infiniband" \
  "$m/drivers/staging" "$m/sound" "$m/drivers/scsi" "$m/drivers/bluetooth" "$m/drivers/iio" \
  "$m/drivers/input/touchscreen" "$m/drivers/hid" "$m/drivers/usb" "$m/drivers/isdn" "$m/net/wireless" \
  "$m/net/mac80211" "$m/net/bluetooth" "$m/drivers/net/ethernet" "$m/drivers/mtd" "$m/fs/btrfs" "$m/fs/xfs" \
  "$m/fs/ocfs2" "$m/fs/gfs2" "$m/fs/nfs" "$m/fs/cifs" "$m/fs/smbfs" "$m/fs/ceph"
chroot "$tmp/rootfs" depmod "$kver"
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
