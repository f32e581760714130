package firmware_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/iotlabel/iotlabel/evidence"
	"github.com/iotlabel/iotlabel/firmware"
	"github.com/iotlabel/iotlabel/internal/testenv"
	"github.com/iotlabel/iotlabel/probe"
)

// realBinary is a binary of this machine's Debian that goes into the test
// image, the component it is, and the package whose version is the truth.
type realBinary struct{ path, inImage, component, pkg string }

var realBinaries = []realBinary{
	{"/bin/busybox", "/bin/busybox", "busybox", "busybox-static"},
	{"/usr/sbin/dropbear", "/usr/sbin/dropbear", "dropbear_ssh", "dropbear-bin"},
	{"/usr/sbin/sshd", "/usr/sbin/sshd", "openssh", "openssh-server"},
	{"/usr/sbin/lighttpd", "/usr/sbin/lighttpd", "lighttpd", "lighttpd"},
	{"/usr/sbin/mosquitto", "/usr/sbin/mosquitto", "mosquitto", "mosquitto"},
	{"/usr/sbin/vsftpd", "/usr/sbin/vsftpd", "vsftpd", "vsftpd"},
	{"/lib/x86_64-linux-gnu/libc.so.6", "/lib/libc.so.6", "glibc", "libc6"},
	{"/lib/x86_64-linux-gnu/libz.so.1", "/lib/libz.so.1", "zlib", "zlib1g"},
	{"/lib/x86_64-linux-gnu/libcrypto.so.3", "/lib/libcrypto.so.3", "openssl", "libssl3"},
	{"/usr/lib/x86_64-linux-gnu/libcurl.so.4", "/lib/libcurl.so.4", "curl", "libcurl4"},
}

// upstream turns a Debian package version into the upstream one:
// "1:1.2.13.dfsg-1" → "1.2.13", "1:9.2p1-2+deb12u10" → "9.2p1".
func upstream(v string) string {
	if _, after, ok := strings.Cut(v, ":"); ok {
		v = after
	}
	if i := strings.LastIndex(v, "-"); i > 0 {
		v = v[:i]
	}
	v = regexp.MustCompile(`[.+~](dfsg|ds)\d*$`).ReplaceAllString(v, "")
	return v
}

func dpkgVersion(t *testing.T, pkg string) string {
	t.Helper()
	out, err := exec.Command("dpkg-query", "-W", "-f", "${Version}", pkg).Output()
	if err != nil || len(out) == 0 {
		t.Fatalf("dpkg-query %s: %v", pkg, err)
	}
	return upstream(string(out))
}

// TestAccuracyGate builds a router-like image from this machine's real
// binaries and planted weaknesses — a Mirai password in shadow, an empty
// password, a default htpasswd entry, private keys in three formats, telnetd
// handing out a shell, a backdoor in rc.local — with traps beside them that
// must not be reported: locked accounts, a strong hash, a certificate, a
// public key, a key shown in documentation, a commented-out telnetd. It packs
// the tree with mksquashfs (xz) into a uImage made by mkimage behind a
// vendor header, and requires every planted finding and no false one;
// component versions are judged by dpkg's record of the installed packages.
func TestAccuracyGate(t *testing.T) {
	for _, b := range realBinaries {
		_, err := os.Stat(b.path)
		testenv.Require(t, err == nil, b.path+" (Debian package "+b.pkg+")")
	}
	openssl := tool(t, "openssl", "openssl")
	dropbearkey := tool(t, "dropbearkey", "dropbear-bin")
	root := t.TempDir()
	for _, b := range realBinaries {
		data, err := os.ReadFile(b.path)
		if err != nil {
			t.Fatal(err)
		}
		writeTree(t, root, map[string]string{b.inImage[1:]: string(data)})
	}
	hash := func(args ...string) string {
		out, err := exec.Command(openssl, append([]string{"passwd"}, args...)...).Output()
		if err != nil {
			t.Fatalf("openssl passwd %v: %v", args, err)
		}
		return strings.TrimSpace(string(out))
	}
	strong := hash("-6", "-salt", "Qm9yZWRvbQ", "correct horse battery staple 9fj3!")
	writeTree(t, root, map[string]string{
		"etc/passwd": "root:x:0:0:root:/root:/bin/sh\nadmin:x:1000:1000::/home/admin:/bin/sh\ndaemon:x:1:1::/:/bin/false\n",
		"etc/shadow": "root:" + hash("-1", "-salt", "Zk3xQ1p0", "xc3511") + ":19000:0:99999:7:::\n" +
			"admin::19000:0:99999:7:::\n" + "daemon:*:19000:0:99999:7:::\n" + "ftp:!:19000:0:99999:7:::\n" +
			"operator:" + strong + ":19000:0:99999:7:::\n",
		"etc/lighttpd/.htpasswd": "admin:" + hash("-apr1", "-salt", "c2FsdHk", "admin") + "\n",
		"etc/inittab":            "::sysinit:/etc/init.d/rcS\n::respawn:/usr/sbin/telnetd -F -l /bin/sh\n# ::respawn:/usr/sbin/telnetd -l /bin/sh (old)\n",
		"etc/init.d/S50dropbear": "#!/bin/sh\n/usr/sbin/dropbear -R -p 22\n",
		"etc/rc.local":           "/usr/bin/shellback &\nexit 0\n",
		"usr/share/doc/keys.txt": "A key looks like this:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAexampleexampleexample\n-----END RSA PRIVATE KEY-----\n",
	})
	os.MkdirAll(filepath.Join(root, "etc/dropbear"), 0o755)
	run(t, dropbearkey, "-t", "rsa", "-s", "2048", "-f", filepath.Join(root, "etc/dropbear/dropbear_rsa_host_key"))
	os.MkdirAll(filepath.Join(root, "etc/ssl/private"), 0o755)
	os.MkdirAll(filepath.Join(root, "etc/ssl/certs"), 0o755)
	run(t, openssl, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", filepath.Join(root, "etc/ssl/private/server.key"))
	run(t, openssl, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-aes256", "-pass", "pass:x", "-out", filepath.Join(root, "etc/ssl/private/backup.key"))
	run(t, openssl, "req", "-x509", "-key", filepath.Join(root, "etc/ssl/private/server.key"), "-subj", "/CN=router.local", "-days", "3650",
		"-out", filepath.Join(root, "etc/ssl/certs/server.crt"))
	run(t, openssl, "pkey", "-in", filepath.Join(root, "etc/ssl/private/server.key"), "-pubout", "-out", filepath.Join(root, "etc/ssl/certs/server.pub"))
	kernel, _ := os.ReadFile("/proc/version") // a real kernel banner
	writeTree(t, root, map[string]string{"boot/banner": string(kernel)})

	img := squashfs(t, root, "xz")
	wrapped, _ := os.ReadFile(uimage(t, img, "none"))
	path := filepath.Join(t.TempDir(), "router.bin")
	os.WriteFile(path, append(append([]byte("HDR0"), make([]byte, 508)...), wrapped...), 0o644)

	tr, err := firmware.Unpack(context.Background(), path, firmware.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	rules, err := firmware.DefaultRules()
	if err != nil {
		t.Fatal(err)
	}
	var cands []string
	pairs := map[string][]string{}
	for _, c := range probe.DefaultCredentials() {
		cands = append(cands, c.Password)
		pairs[c.Username] = append(pairs[c.Username], c.Password)
	}
	rep, err := firmware.Analyse(context.Background(), tr, firmware.Analysis{Rules: rules, Time: time.Now(),
		Cracking: firmware.Cracking{Candidates: cands, Pairs: pairs, Mask: probe.MaskPassword}})
	if err != nil {
		t.Fatal(err)
	}

	// Components: exactly the planted binaries, at dpkg's versions.
	want := map[string]string{"linux_kernel": regexp.MustCompile(`Linux version (\d+\.\d+(?:\.\d+)?)`).FindStringSubmatch(string(kernel))[1]}
	for _, b := range realBinaries {
		want[b.component] = dpkgVersion(t, b.pkg)
	}
	got := map[string]string{}
	for _, c := range rep.Components {
		if prev, ok := got[c.Name]; ok && prev != c.Version {
			t.Errorf("%s found at two versions: %s and %s (%s)", c.Name, prev, c.Version, c.Path)
		}
		got[c.Name] = c.Version
		if c.Version != "" && (!strings.Contains(c.CPE, ":"+c.Version+":") || !strings.HasSuffix(c.PURL, "@"+c.Version) || c.SHA256 == "" || c.Evidence == "") {
			t.Errorf("component %+v lacks its identifiers or evidence", c)
		}
	}
	for name, v := range want {
		if got[name] != v {
			t.Errorf("component %s: found version %q, dpkg says %q", name, got[name], v)
		}
	}
	for name, v := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("false component %s %s", name, v)
		}
	}

	// Credentials: the Mirai password, the empty one, the default htpasswd
	// entry; the strong hash is tried and not cracked; locked accounts are
	// not findings.
	var creds []string
	for _, c := range rep.Credentials {
		creds = append(creds, strings.Join([]string{c.Source, c.User, c.HashType, boolWord(c.Empty, "empty"), boolWord(c.Cracked, "cracked"), c.Password}, " "))
	}
	wantCreds := []string{
		"/etc/lighttpd/.htpasswd:1 admin apr1 - cracked a***n (5 chars)",
		"/etc/shadow:1 root md5-crypt - cracked x****1 (6 chars)",
		"/etc/shadow:2 admin none empty - ",
		"/etc/shadow:5 operator sha512-crypt - - ",
	}
	slices.Sort(creds)
	if !slices.Equal(creds, wantCreds) {
		t.Errorf("credentials:\n got %q\nwant %q", creds, wantCreds)
	}

	// Keys: three private keys and the certificate; not the public key nor
	// the documentation's example.
	var keys []string
	for _, k := range rep.Keys {
		keys = append(keys, strings.Join([]string{k.Path, k.Type, boolWord(k.Private, "private"), boolWord(k.Encrypted, "encrypted")}, " "))
	}
	slices.Sort(keys)
	wantKeys := []string{
		"/etc/dropbear/dropbear_rsa_host_key dropbear-ssh-rsa private -",
		"/etc/ssl/certs/server.crt certificate - -",
		"/etc/ssl/private/backup.key encrypted-private-key private encrypted",
		"/etc/ssl/private/server.key private-key private -",
	}
	if !slices.Equal(keys, wantKeys) {
		t.Errorf("keys:\n got %q\nwant %q", keys, wantKeys)
	}
	for _, k := range rep.Keys {
		if k.Type == "certificate" && (!k.SelfSigned || k.Bits != 2048 || k.Subject != "CN=router.local") {
			t.Errorf("certificate: %+v", k)
		}
	}

	// Services: telnetd with a shell and the backdoor are insecure; Dropbear
	// with password logins is reported, not failed; the comment is ignored.
	var svcs []string
	for _, s := range rep.Services {
		svcs = append(svcs, strings.Join([]string{s.Path, s.Name, boolWord(s.Insecure, "insecure")}, " "))
	}
	slices.Sort(svcs)
	wantSvcs := []string{"/etc/init.d/S50dropbear dropbear -", "/etc/inittab telnetd insecure", "/etc/rc.local debug-listener insecure"}
	if !slices.Equal(svcs, wantSvcs) {
		t.Errorf("services:\n got %q\nwant %q", svcs, wantSvcs)
	}

	// Hardening: every ELF file is read; Debian builds its daemons as PIE
	// with NX and canaries, and busybox-static is not PIE.
	if rep.Hardening.Binaries != len(realBinaries) {
		t.Errorf("%d binaries read, want %d", rep.Hardening.Binaries, len(realBinaries))
	}
	for _, b := range rep.Binaries {
		if !b.NX || b.Arch != "X86_64" {
			t.Errorf("binary %+v", b)
		}
		if b.Path == "/usr/sbin/sshd" && (!b.PIE || !b.Canary || b.RELRO != "full") {
			t.Errorf("sshd is built hardened by Debian: %+v", b)
		}
	}

	// Evidence: the three checks fail, and say why.
	results := map[string]string{}
	for _, it := range rep.Findings {
		results[it.Check] = it.Result
		if it.Result == evidence.Fail && it.Data["image_sha256"] != tr.Image.SHA256 {
			t.Errorf("%s evidence does not name the image", it.Check)
		}
	}
	for _, c := range []string{"hard-coded-credentials", "private-key-in-image", "insecure-boot-service"} {
		if results[c] != evidence.Fail {
			t.Errorf("%s: %s, want fail", c, results[c])
		}
	}
}

func boolWord(b bool, word string) string {
	if b {
		return word
	}
	return "-"
}
