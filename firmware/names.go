package firmware

import (
	"path"
	"slices"
)

// inodeNames maps each inode of a log-structured file system (JFFS2,
// UBIFS) to the name and parent inode that the newest directory entry
// naming it gives.
type inodeNames map[uint32]nameEntry

type nameEntry struct {
	name    string
	parent  uint32
	version uint64
}

// add keeps a directory entry if it is the newest for its inode.
func (n inodeNames) add(ino, parent uint32, name string, version uint64) {
	if cur, ok := n[ino]; !ok || version > cur.version {
		n[ino] = nameEntry{name: name, parent: parent, version: version}
	}
}

// path is an inode's absolute path up to root; false for an orphan or a
// cycle.
func (n inodeNames) path(ino, root uint32) (string, bool) {
	var parts []string
	for depth := 0; ino != root; depth++ {
		e, ok := n[ino]
		if !ok || depth > 64 {
			return "", false
		}
		parts = append(parts, e.name)
		ino = e.parent
	}
	slices.Reverse(parts)
	return "/" + path.Join(parts...), true
}

// sorted lists the named inodes in order.
func (n inodeNames) sorted() []uint32 {
	inos := make([]uint32, 0, len(n))
	for ino := range n {
		inos = append(inos, ino)
	}
	slices.Sort(inos)
	return inos
}
