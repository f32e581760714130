package probe

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/iotlabel/iotlabel/evidence"
	"github.com/iotlabel/iotlabel/internal/testenv"
)

// device is one member of the labelled fleet: where it listens and the
// failures the probe must report for it (check, or check/username).
type device struct {
	name   string
	addr   string
	port   Port
	expect []string
}

// fleet starts the labelled fleet of real daemons, each on its own
// loopback address, and returns it. Planted weaknesses are in expect;
// clean and trap devices expect nothing.
func fleet(t testing.TB) []device {
	t.Helper()
	for _, tool := range []struct{ path, pkg string }{
		{"/usr/sbin/sshd", "openssh-server"}, {"busybox", "busybox-static"}, {"lighttpd", "lighttpd"},
		{"mosquitto", "mosquitto"}, {"mosquitto_passwd", "mosquitto"}, {"vsftpd", "vsftpd"},
		{"coap-server-notls", "libcoap3-bin"}, {"unshare", "util-linux"}, {"openssl", "openssl"},
	} {
		_, err := exec.LookPath(tool.path)
		testenv.Require(t, err == nil, tool.path+" (package "+tool.pkg+")")
	}
	_, err := os.Stat("/usr/lib/lighttpd/mod_openssl.so")
	testenv.Require(t, err == nil, "lighttpd's TLS module (package lighttpd-mod-openssl)")
	gst := exec.Command("/usr/bin/python3", "-c", `import gi; gi.require_version("GstRtspServer", "1.0"); from gi.repository import GstRtspServer`).Run()
	testenv.Require(t, gst == nil, "GStreamer's RTSP server for Python (packages python3-gi, gir1.2-gst-rtsp-server-1.0, gstreamer1.0-plugins-base, gstreamer1.0-plugins-good)")
	testenv.Require(t, os.Geteuid() == 0, "root, to start sshd, telnetd and vsftpd")
	dir := t.TempDir()
	os.Chmod(dir, 0o755) // the daemons drop privileges and must still read their files
	os.Chmod(filepath.Dir(dir), 0o755)
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var devs []device
	n := 0
	add := func(name string, proto string, expect ...string) device {
		n++
		addr := fmt.Sprintf("127.0.2.%d", n)
		var p uint16
		if proto == "udp" {
			p = freeUDPPort(t, addr)
		} else {
			p = freePort(t, addr)
		}
		d := device{name: name, addr: addr, port: Port{p, proto}, expect: expect}
		devs = append(devs, d)
		return d
	}
	hp := func(d device) string { return netip.AddrPortFrom(netip.MustParseAddr(d.addr), d.port.Number).String() }

	// Accounts: daemons that log users in (OpenSSH, vsftpd) run in a
	// private mount namespace where their own passwd and shadow files, with
	// one user "admin", are bind-mounted over the machine's: the machine's
	// accounts are not touched.
	withAccount := func(d device, password string, command string) []string {
		hash, err := exec.Command("openssl", "passwd", "-6", password).Output()
		if err != nil {
			t.Fatal(err)
		}
		sysPasswd, _ := os.ReadFile("/etc/passwd")
		sysShadow, _ := os.ReadFile("/etc/shadow")
		passwd := file(d.name+".passwd", string(sysPasswd)+"admin:x:4242:4242::/:/bin/sh\n")
		shadow := file(d.name+".shadow", string(sysShadow)+"admin:"+strings.TrimSpace(string(hash))+":19000:0:99999:7:::\n")
		return []string{"-m", "--propagation", "private", "sh", "-c",
			fmt.Sprintf("mount --bind %s /etc/passwd && mount --bind %s /etc/shadow && exec %s", passwd, shadow, command)}
	}
	ssh := func(d device, keyType, keyBits, password string) {
		key := filepath.Join(dir, d.name+".key")
		args := []string{"-q", "-t", keyType, "-N", "", "-f", key}
		if keyBits != "" {
			args = append(args, "-b", keyBits)
		}
		if out, err := exec.Command("ssh-keygen", args...).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v %s", err, out)
		}
		os.MkdirAll("/run/sshd", 0o755)
		startDaemon(t, d.addr, d.port.Number, "unshare", withAccount(d, password,
			fmt.Sprintf("/usr/sbin/sshd -D -e -f /dev/null -h %s -o ListenAddress=%s -o PidFile=none -o HostKeyAlgorithms=+ssh-rsa", key, hp(d)))...)
	}
	ssh(add("ssh-weak", "tcp", "default-credentials/admin", "ssh-weak-hostkey"), "rsa", "1024", "admin")
	ssh(add("ssh-clean", "tcp"), "ed25519", "", randomHex(16))

	// Telnet: BusyBox telnetd behind a device-style login script.
	login := file("login.sh", `#!/bin/sh
printf 'router login: '
read -r u
printf 'Password: '
read -r p
u=$(printf %s "$u" | tr -d '\r'); p=$(printf %s "$p" | tr -d '\r')
if [ "$u" = root ] && [ "$p" = xc3511 ]; then PS1='# ' exec busybox sh -i; fi
echo 'Login incorrect'
`)
	os.Chmod(login, 0o755)
	d := add("telnet-weak", "tcp", "exposed-telnet", "default-credentials/root")
	startDaemon(t, d.addr, d.port.Number, "busybox", "telnetd", "-F", "-l", login, "-b", hp(d))

	// Telnet, slow: a device login that waits a second after each wrong
	// password and allows three tries per connection before hanging up; its
	// default (support:support) is the 11th of the list.
	slow := file("slow-login.sh", `#!/bin/sh
n=0
while [ $n -lt 3 ]; do
  printf 'camera login: '
  read -r u || exit 0
  printf 'Password: '
  read -r p || exit 0
  u=$(printf %s "$u" | tr -d '\r'); p=$(printf %s "$p" | tr -d '\r')
  if [ "$u" = support ] && [ "$p" = support ]; then PS1='# ' exec busybox sh -i; fi
  sleep 1
  echo 'Login incorrect'
  n=$((n+1))
done
`)
	os.Chmod(slow, 0o755)
	d = add("telnet-slow", "tcp", "exposed-telnet", "default-credentials/support")
	startDaemon(t, d.addr, d.port.Number, "busybox", "telnetd", "-F", "-l", slow, "-b", hp(d))

	// HTTP: lighttpd with Basic and Digest authentication, an admin page
	// open to all, and a look-alike login form that answers 200 to anything.
	www := filepath.Join(dir, "www")
	os.MkdirAll(filepath.Join(www, "admin"), 0o755)
	file("www/admin/index.html", `<html><h1>Router</h1><a href=/wifi>Wireless settings</a> <a href=/fw>Firmware upgrade</a> <a href=/r>Reboot</a></html>`)
	file("www/index.html", `<html><form method=post action=/login.cgi>User <input name=u> Password <input type="password" name=p><button>Log in</button></form> Wireless settings, firmware upgrade and reboot after login.</html>`)
	lighttpd := func(d device, extra string) {
		conf := file(d.name+".conf", fmt.Sprintf(`server.document-root = %q
server.bind = %q
server.port = %d
index-file.names = ("index.html")
server.errorlog = %q
server.modules = ("mod_auth", "mod_authn_file", "mod_openssl", "mod_alias")
auth.backend = "plain"
auth.backend.plain.userfile = %q
%s
`, www, d.addr, d.port.Number, filepath.Join(dir, d.name+".err"), filepath.Join(dir, d.name+".users"), extra))
		startDaemon(t, d.addr, d.port.Number, "lighttpd", "-D", "-f", conf)
	}
	authConf := func(method string) string {
		return fmt.Sprintf(`auth.require = ("/" => ("method" => %q, "realm" => "router", "require" => "valid-user"))`, method)
	}
	d = add("http-basic-weak", "tcp", "default-credentials/admin")
	file(d.name+".users", "admin:password\n")
	lighttpd(d, authConf("basic"))
	d = add("http-digest-weak", "tcp", "default-credentials/admin")
	file(d.name+".users", "admin:admin\n")
	lighttpd(d, authConf("digest"))
	d = add("http-basic-clean", "tcp")
	file(d.name+".users", "admin:"+randomHex(12)+"\n")
	lighttpd(d, authConf("basic"))
	d = add("http-open-admin", "tcp", "unauthenticated-admin")
	file(d.name+".users", "")
	lighttpd(d, `server.document-root := "`+filepath.Join(www, "admin")+`"`)
	d = add("http-lookalike", "tcp")
	file(d.name+".users", "")
	lighttpd(d, "")

	// TLS: a CA, an expired device certificate on a server that still
	// speaks TLS 1.0, and a current one on a server that speaks TLS 1.2+.
	ca, caKey := testCA(t)
	d = add("tls-expired", "tcp", "tls-certificate", "tls-weak-protocol")
	file(d.name+".users", "")
	file(d.name+".pem", leafPEM(t, ca, caKey, d.addr, time.Now().AddDate(-2, 0, 0), time.Now().AddDate(0, 0, -30)))
	lighttpd(d, fmt.Sprintf(`ssl.engine = "enable"
ssl.pemfile = %q
ssl.openssl.ssl-conf-cmd = ("MinProtocol" => "TLSv1", "CipherString" => "DEFAULT@SECLEVEL=0")`, filepath.Join(dir, d.name+".pem")))
	d = add("tls-clean", "tcp")
	file(d.name+".users", "")
	file(d.name+".pem", leafPEM(t, ca, caKey, d.addr, time.Now().AddDate(0, 0, -1), time.Now().AddDate(1, 0, 0)))
	lighttpd(d, fmt.Sprintf(`ssl.engine = "enable"
ssl.pemfile = %q
ssl.openssl.ssl-conf-cmd = ("MinProtocol" => "TLSv1.2", "CipherString" => "ECDHE+AESGCM:ECDHE+CHACHA20")`, filepath.Join(dir, d.name+".pem")))

	// MQTT: Mosquitto open to anonymous clients, with a default password,
	// and with a strong one.
	mosquitto := func(d device, conf string) {
		startDaemon(t, d.addr, d.port.Number, "mosquitto", "-c",
			file(d.name+".conf", fmt.Sprintf("listener %d %s\n%s", d.port.Number, d.addr, conf)))
	}
	mqttPasswords := func(d device, user, pass string) string {
		p := filepath.Join(dir, d.name+".passwd")
		if out, err := exec.Command("mosquitto_passwd", "-c", "-b", p, user, pass).CombinedOutput(); err != nil {
			t.Fatalf("mosquitto_passwd: %v %s", err, out)
		}
		os.Chmod(p, 0o644)
		return p
	}
	mosquitto(add("mqtt-open", "tcp", "anonymous-access"), "allow_anonymous true\n")
	d = add("mqtt-weak", "tcp", "default-credentials/admin")
	mosquitto(d, "allow_anonymous false\npassword_file "+mqttPasswords(d, "admin", "admin")+"\n")
	d = add("mqtts-open", "tcp", "anonymous-access")
	certs := file(d.name+".pem", leafPEM(t, ca, caKey, d.addr, time.Now().AddDate(0, 0, -1), time.Now().AddDate(1, 0, 0)))
	mosquitto(d, fmt.Sprintf("allow_anonymous true\ncertfile %s\nkeyfile %s\ntls_version tlsv1.2\nciphers ECDHE+AESGCM:ECDHE+CHACHA20\n", certs, certs))
	d = add("mqtt-clean", "tcp")
	mosquitto(d, "allow_anonymous false\npassword_file "+mqttPasswords(d, "admin", randomHex(12))+"\n")

	// FTP: vsftpd with anonymous login.
	os.MkdirAll("/var/run/vsftpd/empty", 0o755)
	ftpRoot := filepath.Join(dir, "ftp")
	os.MkdirAll(ftpRoot, 0o755)
	d = add("ftp-anonymous", "tcp", "anonymous-access")
	startDaemon(t, d.addr, d.port.Number, "vsftpd", file(d.name+".conf", fmt.Sprintf(`listen=YES
listen_address=%s
listen_port=%d
background=NO
anonymous_enable=YES
local_enable=NO
anon_root=%s
secure_chroot_dir=/var/run/vsftpd/empty
ftp_username=ftp
write_enable=NO
seccomp_sandbox=NO
`, d.addr, d.port.Number, ftpRoot)))
	d = add("ftp-weak", "tcp", "default-credentials/admin")
	startDaemon(t, d.addr, d.port.Number, "unshare", withAccount(d, "admin", "vsftpd "+file(d.name+".conf", fmt.Sprintf(`listen=YES
listen_address=%s
listen_port=%d
background=NO
anonymous_enable=NO
local_enable=YES
pam_service_name=vsftpd
secure_chroot_dir=/var/run/vsftpd/empty
write_enable=NO
seccomp_sandbox=NO
`, d.addr, d.port.Number)))...)

	// RTSP: cameras on GStreamer's RTSP server, open to anyone, with a
	// default Digest password, and with a strong one.
	camera, _ := filepath.Abs("testdata/rtsp_camera.py")
	d = add("rtsp-open", "tcp", "anonymous-access")
	startDaemon(t, d.addr, d.port.Number, "/usr/bin/python3", camera, d.addr, fmt.Sprint(d.port.Number))
	d = add("rtsp-weak", "tcp", "default-credentials/root")
	startDaemon(t, d.addr, d.port.Number, "/usr/bin/python3", camera, d.addr, fmt.Sprint(d.port.Number), "root:xmhdipc")
	d = add("rtsp-clean", "tcp")
	startDaemon(t, d.addr, d.port.Number, "/usr/bin/python3", camera, d.addr, fmt.Sprint(d.port.Number), "admin:"+randomHex(12))

	// CoAP: libcoap's example server lists its resources to anyone.
	d = add("coap-open", "udp", "coap-open")
	startUDPDaemon(t, d, "coap-server-notls", "-A", d.addr, "-p", fmt.Sprint(d.port.Number))

	// SNMP: net-snmp answering the community "public", and one that knows
	// only a community of its own.
	d = add("snmp-public", "udp", "default-credentials")
	startSNMPD(t, d.addr, d.port.Number, "public", "rocommunity public 127.0.0.0/8", "sysdescr Example router")
	d = add("snmp-clean", "udp")
	startSNMPD(t, d.addr, d.port.Number, "k2-own-community", "rocommunity k2-own-community 127.0.0.0/8")

	// Traps: a web server that demands a password and then takes any, and
	// a tarpit that accepts connections and never says a word.
	d = add("http-any-password", "tcp")
	serveOn(t, hp(d), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, _, ok := r.BasicAuth(); !ok {
			w.Header().Set("WWW-Authenticate", `Basic realm="cam"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Write([]byte("<html>Reboot, firmware upgrade, wireless settings</html>"))
	}))
	d = add("tarpit", "tcp")
	tarpit(t, hp(d))
	return devs
}

// TestAccuracyGate probes the labelled fleet and requires every planted
// weakness to be found and no failure anywhere else.
func TestAccuracyGate(t *testing.T) {
	devs := fleet(t)
	var targets []Target
	byAddr := map[string]device{}
	for _, d := range devs {
		targets = append(targets, Target{Addr: netip.MustParseAddr(d.addr), Ports: []Port{d.port}})
		byAddr[d.addr] = d
	}
	// 4 s per read: PAM makes a failed FTP login wait about 2 s.
	s := &Scanner{Timeout: 4 * time.Second, Credentials: DefaultCredentials(), Attempts: 16}
	got := map[string][]string{}
	start := time.Now()
	s.Scan(context.Background(), targets, nil, func(r HostReport) {
		for _, it := range Evidence(r, Meta{At: time.Now()}) {
			if it.Result == evidence.Error {
				t.Logf("%s: error %s: %s", byAddr[r.Addr].name, it.Check, it.Detail)
			}
		}
		got[r.Addr] = append(got[r.Addr], failures(r)...)
	})
	t.Logf("%d devices probed in %v", len(devs), time.Since(start).Round(time.Millisecond))
	missed, false_ := 0, 0
	for _, d := range devs {
		g := got[d.addr]
		slices.Sort(g)
		want := slices.Sorted(slices.Values(d.expect))
		for _, w := range want {
			if !slices.Contains(g, w) {
				missed++
				t.Errorf("%s (%s): planted weakness %s not found", d.name, d.addr, w)
			}
		}
		for _, f := range g {
			if !slices.Contains(want, f) {
				false_++
				t.Errorf("%s (%s): false finding %s", d.name, d.addr, f)
			}
		}
	}
	t.Logf("missed %d, false findings %d", missed, false_)
}

// failures names a host's failed checks as the fleet's expect lists do:
// check, or check/username for a login.
func failures(r HostReport) []string {
	var out []string
	for _, it := range Evidence(r, Meta{At: time.Now()}) {
		if it.Result == evidence.Fail {
			f := it.Check
			if it.Username != "" {
				f += "/" + it.Username
			}
			out = append(out, f)
		}
	}
	return out
}

func freeUDPPort(t testing.TB, addr string) uint16 {
	t.Helper()
	c, err := net.ListenPacket("udp", addr+":0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return uint16(c.LocalAddr().(*net.UDPAddr).Port)
}

// startUDPDaemon runs a UDP server and waits until it answers a CoAP ping.
func startUDPDaemon(t testing.TB, d device, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	hp := netip.AddrPortFrom(netip.MustParseAddr(d.addr), d.port.Number).String()
	for range 50 {
		c, err := net.Dial("udp", hp)
		if err == nil {
			c.SetDeadline(time.Now().Add(100 * time.Millisecond))
			c.Write([]byte{0x40, 0, 0, 1}) // CoAP ping: empty confirmable message
			n, _ := c.Read(make([]byte, 64))
			c.Close()
			if n > 0 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not answer on %s", name, hp)
}

func serveOn(t testing.TB, addr string, h http.Handler) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
}

// tarpit accepts connections on addr and never answers.
func tarpit(t testing.TB, addr string) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
}

func testCA(t testing.TB) (*x509.Certificate, *rsa.PrivateKey) {
	t.Helper()
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "iotlabel test CA"},
		NotBefore: time.Now().AddDate(-5, 0, 0), NotAfter: time.Now().AddDate(5, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(der)
	return ca, key
}

// leafPEM makes a device certificate signed by ca, with its key, as PEM.
func leafPEM(t testing.TB, ca *x509.Certificate, caKey *rsa.PrivateKey, ip string, from, until time.Time) string {
	t.Helper()
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: ip},
		IPAddresses: []net.IP{net.ParseIP(ip)}, NotBefore: from, NotAfter: until,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: der})
	pem.Encode(&b, &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	return b.String()
}
