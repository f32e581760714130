package firmware_test

import (
	"archive/tar"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/iotlabel/iotlabel/firmware"
	"github.com/iotlabel/iotlabel/internal/testenv"
	"github.com/iotlabel/iotlabel/probe"
)

// tarOf packs files (path in the image → file on disk) into a tar with
// archive/tar and unpacks it.
func tarOf(t *testing.T, files map[string]string) *firmware.Tree {
	t.Helper()
	path := filepath.Join(t.TempDir(), "img.tar")
	f, _ := os.Create(path)
	w := tar.NewWriter(f)
	for name, src := range files {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		w.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(b)), Typeflag: tar.TypeReg})
		w.Write(b)
	}
	w.Close()
	f.Close()
	return unpack(t, path)
}

// TestFACTLabels checks the analysis against FACT's labelled fixtures (GPL,
// read in place from ../shared, never copied): the account lines of
// passwd_test with the passwords FACT's own tests expect, none from the
// false-positive file, exactly the two hashes embedded in passwd.bin, and
// FACT's verdict on each key file, false-positive traps included.
func TestFACTLabels(t *testing.T) {
	dir := filepath.Join(testenv.SharedData(t), "firmware-samples", "fact-core-labeled")
	up := filepath.Join(dir, "users_and_passwords")
	tr := tarOf(t, map[string]string{
		"etc/shadow":   filepath.Join(up, "passwd_test"),
		"etc/passwd":   filepath.Join(up, "passwd_FP_test"),
		"usr/bin/blob": filepath.Join(up, "passwd.bin"),
	})
	creds, err := firmware.Credentials(context.Background(), tr, firmware.Cracking{
		Candidates: []string{"123456", "dragon", "admin", "root", "1234", "secret"}, Reveal: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range creds {
		src, _, _ := strings.Cut(c.Source, ":")
		src, _, _ = strings.Cut(src, "@")
		got = append(got, src+" "+c.User+" "+c.HashType+" "+c.Password)
	}
	slices.Sort(got)
	want := []string{
		"/etc/shadow admin sha1 admin",
		"/etc/shadow johndoe sha512-crypt 123456",
		"/etc/shadow max apr1 dragon",
		"/etc/shadow nosalt md5-crypt root",
		"/etc/shadow root des-crypt root",
		"/etc/shadow test mosquitto-sha512 123456",
		"/etc/shadow user bcrypt 1234",
		"/etc/shadow user2 md5-crypt secret",
		"/usr/bin/blob johndoe sha512-crypt 123456",
		"/usr/bin/blob max apr1 dragon",
	}
	if !slices.Equal(got, want) {
		t.Errorf("credentials:\n got %q\nwant %q", got, want)
	}

	cm := filepath.Join(dir, "crypto_material")
	files := map[string]string{}
	ents, _ := os.ReadDir(cm)
	for _, e := range ents {
		files["keys/"+e.Name()] = filepath.Join(cm, e.Name())
	}
	keys, err := firmware.Keys(context.Background(), tarOf(t, files))
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, k := range keys {
		found = append(found, strings.TrimPrefix(k.Path, "/keys/")+" "+boolWord(k.Private, "private")+" "+boolWord(k.Encrypted, "encrypted"))
	}
	slices.Sort(found)
	// FACT's labels: private keys in id_rsa, id_rsa_encrypted, pkcs, pkcs12,
	// ssl.key; a certificate in ssl.crt; public keys (PGP, SSH, PEM) are not
	// private keys; FP_test, error.der, ssl_fp.file and pkcs_fp.file match
	// nothing.
	wantKeys := []string{"id_rsa private -", "id_rsa_encrypted private encrypted", "pkcs private -", "pkcs12 private encrypted",
		"ssl.crt - -", "ssl.key private -"}
	if !slices.Equal(found, wantKeys) {
		t.Errorf("keys:\n got %q\nwant %q", found, wantKeys)
	}
}

// TestFACTExtractorMatrix: FACT's extractor fixtures (GPL, read in place)
// as a supported/unsupported matrix. What this reader takes unpacks to the
// three files every fixture holds; what it does not is named in the
// layer's error, never passed over in silence and never a crash.
func TestFACTExtractorMatrix(t *testing.T) {
	dir := filepath.Join(testenv.SharedData(t), "firmware-samples", "fact-extractor-fs")
	for name, want := range map[string]string{
		"squashfs/gzip.sqfs": "3 files", "squashfs/xz.sqfs": "3 files", "squashfs/lzma.sqfs": "3 files",
		"squashfs/zstd.sqfs": "3 files", "squashfs/avm_le.sqfs4": "3 files", "other/test.cpio": "3 files",
		"squashfs/lz4.sqfs": "3 files", "squashfs/lzo.sqfs": "3 files",
		"squashfs/zlib_le.sqfs3": "version 3 is not supported", "squashfs/zlib_be.sqfs3": "big-endian SquashFS (version 3)",
		"squashfs/avm_be.sqfs4": "big-endian SquashFS (version 4)", "other/cramfs.img": "3 files",
		"other/jffs2_le.img": "3 files", "other/jffs2_be.img": "3 files",
		"other/ubi.img": "3 files", "other/test.ubifs": "3 files",
		"other/romfs.img": "romfs is not supported yet",
	} {
		tr := unpack(t, filepath.Join(dir, name))
		files := 0
		var errs []string
		for _, f := range tr.Files {
			if f.Kind == firmware.KindFile {
				files++
			}
		}
		for _, l := range tr.Layers {
			errs = append(errs, l.Error)
		}
		got := strings.Join(errs, "; ")
		if files == 3 {
			got = "3 files"
		}
		if !strings.Contains(got, want) {
			t.Errorf("%s: %q (%d files), want %q", name, got, files, want)
		}
	}
}

// TestPlainPasswords: clear-text passwords in lighttpd's plain user file and
// in configuration (UCI, *.conf) are findings; a variable, a path, a hash and
// a commented line are not.
func TestPlainPasswords(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"etc/lighttpd/lighttpd.user": "admin:admin\n# guest:guest\n",
		"etc/config/system":          "config system\n\toption hostname 'router'\n\toption password 'S3cret!'\n\toption password '$PASS'\n",
		"etc/app.conf":               "password=/etc/app/secret\npassword = hunter2\n#password=old\npasswd $1$abc$0123456789012345678901\n",
	}
	m := map[string]string{}
	for p, content := range files {
		full := filepath.Join(dir, p)
		os.MkdirAll(filepath.Dir(full), 0o755)
		os.WriteFile(full, []byte(content), 0o644)
		m[p] = full
	}
	creds, err := firmware.Credentials(context.Background(), tarOf(t, m), firmware.Cracking{Reveal: true})
	if err != nil {
		t.Fatal(err)
	}
	got := credentialLines(creds)
	want := []string{"/etc/app.conf:2 password plain hunter2", "/etc/app.conf:4 passwd md5-crypt ",
		"/etc/config/system:3 password plain S3cret!", "/etc/lighttpd/lighttpd.user:1 admin plain admin"}
	if !slices.Equal(got, want) {
		t.Errorf("credentials:\n got %q\nwant %q", got, want)
	}
}

// TestIoTGoatLabels: OWASP IoTGoat's rootfs overlay (MIT, read in place)
// against the findings verified in its labels.json: the Mirai password of
// iotgoatuser, the other md5-crypt hashes tried and not cracked (also in the
// backup shadow file), telnetd and the shellback backdoor in rc.local, and
// UPnP on with secure mode off.
func TestIoTGoatLabels(t *testing.T) {
	root := filepath.Join(testenv.SharedData(t), "firmware-samples", "iotgoat-overlay", "files")
	files := map[string]string{}
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			files[filepath.ToSlash(rel)] = p
		}
		return nil
	})
	tr := tarOf(t, files)
	var cands []string
	for _, c := range probe.DefaultCredentials() {
		cands = append(cands, c.Password)
	}
	creds, err := firmware.Credentials(context.Background(), tr, firmware.Cracking{Candidates: cands, Reveal: true})
	if err != nil {
		t.Fatal(err)
	}
	got := credentialLines(creds)
	want := []string{"/etc/shadow.bak:1 root md5-crypt ", "/etc/shadow:1 root md5-crypt ", "/etc/shadow:8 iotgoatuser md5-crypt 7ujMko0vizxv"}
	if !slices.Equal(got, want) {
		t.Errorf("credentials:\n got %q\nwant %q", got, want)
	}
	svcs, err := firmware.Services(context.Background(), tr)
	if err != nil {
		t.Fatal(err)
	}
	var insecure []string
	for _, s := range svcs {
		if s.Insecure {
			insecure = append(insecure, s.Path+" "+s.Name)
		}
	}
	slices.Sort(insecure)
	if w := []string{"/etc/config/upnpd miniupnpd", "/etc/rc.local debug-listener", "/etc/rc.local telnetd"}; !slices.Equal(insecure, w) {
		t.Errorf("insecure services %q, want %q", insecure, w)
	}
}

// credentialLines writes credentials as sorted "source user hash-type password" lines.
func credentialLines(creds []firmware.Credential) []string {
	var out []string
	for _, c := range creds {
		out = append(out, c.Source+" "+c.User+" "+c.HashType+" "+c.Password)
	}
	slices.Sort(out)
	return out
}
