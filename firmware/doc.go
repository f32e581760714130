// Package firmware opens a firmware image and finds what it ships.
//
// Unpack walks an image recursively in pure Go: legacy U-Boot images,
// Broadcom TRX, gzip, xz, LZMA, bzip2, zstd and LZ4 streams, zip, tar,
// CPIO (newc, crc, odc, old binary), SquashFS 4.0, ext2/3/4, JFFS2,
// CramFS, UBI and UBIFS, at any offset of the image and of every
// decompressed stream, and at the start of every file inside a file system;
// formats it cannot read yet (romfs, older SquashFS) are named in the
// report. Files are written only under a private work directory (never
// through a symbolic link; links are recorded, not created). Limits on
// total bytes, compression ratio, entries, depth and layers stop hostile
// images with a message naming the layer and offset; the caller's context
// bounds the time. See docs/firmware.md.
//
// Analyse reads the unpacked tree: components and versions found in the
// files themselves by rules kept as data (data/components.yaml), account
// hashes tried against the default-credential list, private keys, services
// started at boot, and the hardening of every ELF file; the report's
// findings are evidence items for assess, and Reconcile compares the
// components with a declared SBOM.
package firmware
