package firmware

import (
	"crypto/des"
	"crypto/rand"
	"testing"
)

// TestDESBlock: with an unsalted expansion the bit-by-bit DES agrees with
// crypto/des on random keys and blocks.
func TestDESBlock(t *testing.T) {
	for range 50 {
		var k, p [8]byte
		rand.Read(k[:])
		rand.Read(p[:])
		c, _ := des.NewCipher(k[:])
		want := make([]byte, 8)
		c.Encrypt(want, p[:])
		var key, block [64]byte
		for i := range 64 {
			key[i] = k[i/8] >> (7 - i%8) & 1
			block[i] = p[i/8] >> (7 - i%8) & 1
		}
		ks := desSubkeys(&key)
		e := desE
		desBlock(&block, &ks, &e)
		for i := range 64 {
			if block[i] != want[i/8]>>(7-i%8)&1 {
				t.Fatalf("key %x block %x: bit %d differs from crypto/des", k, p, i)
			}
		}
	}
}

// TestDESCrypt: published crypt(3) values — FACT's root:root hash and the
// documented crypt("testtest", "es") — and a salt outside the alphabet.
func TestDESCrypt(t *testing.T) {
	for _, c := range []struct{ pw, salt, want string }{
		{"root", "ST", "ST0P8z9dZb6Jg"},
		{"testtest", "es", "esDRYJnY4VaGM"},
	} {
		if got, ok := desCrypt(c.pw, c.salt); !ok || got != c.want {
			t.Errorf("crypt(%q, %q) = %q, want %q", c.pw, c.salt, got, c.want)
		}
	}
	if _, ok := desCrypt("x", "!!"); ok {
		t.Error("a salt outside the alphabet was taken")
	}
}
