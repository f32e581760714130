package probe

import (
	"fmt"
	"hash/fnv"
)

// Shard keeps the targets that belong to shard i of n (1-based), by a hash
// of the host, so that n machines given the same targets split them without
// overlap or gaps, whatever order the targets were listed in.
func Shard(ts []Target, i, n int) ([]Target, error) {
	if n < 1 || i < 1 || i > n {
		return nil, fmt.Errorf("shard %d/%d: want i/n with 1 <= i <= n", i, n)
	}
	var out []Target
	for _, t := range ts {
		h := fnv.New32a()
		h.Write([]byte(t.Host()))
		if int(h.Sum32()%uint32(n)) == i-1 {
			out = append(out, t)
		}
	}
	return out, nil
}
