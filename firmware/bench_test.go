package firmware

import (
	"testing"

	"github.com/GehirnInc/crypt"
)

// BenchmarkCrack measures one candidate check against an MD5-crypt, a
// SHA-512-crypt and a DES-crypt hash (the cracker's rate is 1e9 / ns/op
// checks a second).
func BenchmarkCrack(b *testing.B) {
	for _, c := range []struct{ name, prefix string }{{"md5-crypt", "$1$Zk3xQ1p0$"}, {"sha512-crypt", "$6$Zk3xQ1p0$"}, {"des-crypt", "Zk"}} {
		h, err := "", error(nil)
		if c.name == "des-crypt" {
			h, _ = desCrypt("not-in-the-list", c.prefix)
		} else if h, err = crypt.NewFromHash(c.prefix).Generate([]byte("not-in-the-list"), []byte(c.prefix)); err != nil {
			b.Fatal(err)
		}
		cred := Credential{User: "x", HashType: hashType(h)} // the user name is tried too: one check in all
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				cred.Password, cred.Tried, cred.Cracked = h, 0, false
				Cracking{Candidates: []string{"x"}}.crack(&cred)
			}
		})
	}
}
