// Package firmware opens a firmware image and finds what it ships.
//
// Unpack walks an image recursively in pure Go: legacy U-Boot images,
// gzip, xz, LZMA, bzip2 and zstd streams, SquashFS 4.0, newc/crc CPIO
// archives and tar, at any offset of the image and of every decompressed
// stream, and at the start of every file inside a file system. Files are
// written only under a private work directory (never through a symbolic
// link; links are recorded, not created), and limits on total bytes,
// compression ratio, file count, depth and time stop hostile images with a
// message naming the layer and offset.
//
// Analyse reads the unpacked tree: components and versions found in the
// files themselves by rules kept as data (data/components.yaml), account
// hashes tried against the default-credential list, private keys,
// services started at boot, and the hardening of every ELF file. Evidence
// turns a report into evidence items for assess.
package firmware
