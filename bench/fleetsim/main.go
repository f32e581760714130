// Command fleetsim simulates a fleet of IoT devices on loopback for the
// probe benchmarks (bench/probe-fleet.sh, bench/probe.sh): device i listens
// on 127.1.x.y and offers, by i, a web page on 8080 (HTTP Basic with the
// default admin:admin, Basic with a strong password, an open admin page or a
// login form, each with the Server header of a common embedded web server), a
// telnet login on 2323 (default root:xc3511 or a strong password) and an MQTT
// broker on 1883 (anonymous, or a strong password). One telnet login in ten
// behaves like a real device's: it waits a second after each wrong password
// and allows three tries per connection (half of those take support:support,
// the list's 11th pair; the rest a strong password). These are hand-written
// fakes sized for load, not protocol references: the accuracy gate in
// probe/fleet_test.go runs the real daemons. It writes the
// planted weaknesses, one "check address[/user]" per line, to -truth, prints
// the target range on stdout, and serves until killed.
package main

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/eclipse/paho.mqtt.golang/packets"

	"github.com/iotlabel/iotlabel/internal/fakenet"
)

func main() {
	n := flag.Int("n", 5000, "devices")
	first := flag.String("first", "127.1.0.1", "address of the first device")
	truth := flag.String("truth", "fleet-truth.txt", "write the planted weaknesses to `FILE`")
	flag.Parse()
	addr := netip.MustParseAddr(*first)
	var planted []string
	last := addr
	for i := range *n {
		d := device{i: i, addr: addr, secret: randomHex(10)}
		planted = append(planted, d.start()...)
		last, addr = addr, addr.Next()
	}
	if err := os.WriteFile(*truth, []byte(strings.Join(planted, "\n")+"\n"), 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s-%s\n", *first, last)
	os.Stdout.Close()
	select {}
}

type device struct {
	i      int
	addr   netip.Addr
	secret string
}

func (d device) listen(port uint16) net.Listener {
	ln, err := net.Listen("tcp", netip.AddrPortFrom(d.addr, port).String())
	if err != nil {
		log.Fatal(err)
	}
	return ln
}

func (d device) at(port int) string { return fmt.Sprintf("%s:%d", d.addr, port) }

// start opens the device's services and returns its planted weaknesses.
func (d device) start() []string {
	var planted []string
	switch d.i % 10 {
	case 0:
		planted = append(planted, "default-credentials "+d.at(8080)+"/admin")
		d.web("GoAhead-Webs", basic("admin", "admin"))
	case 1:
		d.web("lighttpd/1.4.59", basic("admin", d.secret))
	case 2:
		planted = append(planted, "unauthenticated-admin "+d.at(8080))
		d.web("Boa/0.94.14rc21", page("<h1>Camera</h1> Network settings | Firmware upgrade | Reboot"))
	default:
		d.web("mini_httpd/1.30 26Oct2018", page(`<form method=post>User <input name=u> Password <input type=password name=p></form>`))
	}
	if d.i%4 == 0 {
		planted = append(planted, "exposed-telnet "+d.at(2323))
		login := telnetLogin{user: "root", pass: d.secret, tries: 1}
		switch {
		case d.i%80 == 4: // a slow device whose password is in the list, far down
			login = telnetLogin{user: "support", pass: "support", tries: 3, delay: time.Second}
			planted = append(planted, "default-credentials "+d.at(2323)+"/support")
		case d.i%80 == 36: // a slow device with a strong password
			login = telnetLogin{user: "admin", pass: d.secret, tries: 3, delay: time.Second}
		case d.i%8 == 0:
			login.pass = "xc3511"
			planted = append(planted, "default-credentials "+d.at(2323)+"/root")
		}
		go fakenet.Serve(d.listen(2323), 30*time.Second, func(c net.Conn) { login.serve(c) })
	}
	switch d.i % 6 {
	case 0:
		planted = append(planted, "anonymous-access "+d.at(1883))
		go fakenet.Serve(d.listen(1883), 10*time.Second, func(c net.Conn) { mqtt(c, true, "", "") })
	case 3:
		go fakenet.Serve(d.listen(1883), 10*time.Second, func(c net.Conn) { mqtt(c, false, "admin", d.secret) })
	}
	return planted
}

func (d device) web(server string, h http.HandlerFunc) {
	withServer := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", server)
		h(w, r)
	}
	srv := &http.Server{Handler: http.HandlerFunc(withServer), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(d.listen(8080))
}

func basic(user, pass string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != user || p != pass {
			w.Header().Set("WWW-Authenticate", `Basic realm="device"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		io.WriteString(w, "<h1>Status</h1>")
	}
}

func page(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "<html>"+body+"</html>") }
}

// telnetLogin is a device login: option negotiation, a BusyBox-style
// banner, login and password prompts, and a shell that expands the one
// arithmetic form it is asked. A wrong password waits delay and, while tries
// remain on the connection, gets a new login prompt.
type telnetLogin struct {
	user, pass string
	tries      int
	delay      time.Duration
}

func (l telnetLogin) serve(c net.Conn) {
	r := bufio.NewReader(c)
	io.WriteString(c, "\xff\xfb\x01\xff\xfb\x03\r\n\r\nBusyBox v1.31.1 (2020-04-14 11:52:26 CST) built-in shell\r\n(none) login: ")
	for try := 1; ; try++ {
		u := readLine(r)
		io.WriteString(c, "Password: ")
		p := readLine(r)
		if u == l.user && p == l.pass {
			break
		}
		time.Sleep(l.delay)
		io.WriteString(c, "\r\nLogin incorrect\r\n")
		if try >= l.tries {
			return
		}
		io.WriteString(c, "(none) login: ")
	}
	io.WriteString(c, "\r\n# ")
	for {
		line := readLine(r)
		if line == "" || line == "exit" {
			return
		}
		if arg, ok := strings.CutPrefix(line, "echo "); ok {
			io.WriteString(c, strings.ReplaceAll(arg, "$((40+2))", "42")+"\r\n")
		}
		io.WriteString(c, "# ")
	}
}

// readLine reads one line, dropping telnet commands; a line ends at CR LF,
// CR NUL, a lone CR or LF, as clients send.
func readLine(r *bufio.Reader) string {
	var b strings.Builder
	for {
		c, err := r.ReadByte()
		switch {
		case err != nil || c == '\n':
			return b.String()
		case c == '\r':
			if next, err := r.Peek(1); err == nil && (next[0] == '\n' || next[0] == 0) {
				r.ReadByte()
			}
			return b.String()
		case c == 0xFF:
			r.ReadByte()
			r.ReadByte()
		default:
			b.WriteByte(c)
		}
	}
}

func mqtt(c net.Conn, anonymous bool, user, pass string) {
	p, err := packets.ReadPacket(c)
	if err != nil {
		return
	}
	cp, ok := p.(*packets.ConnectPacket)
	if !ok {
		return
	}
	ack := packets.NewControlPacket(packets.Connack).(*packets.ConnackPacket)
	switch {
	case !cp.UsernameFlag && anonymous:
	case !cp.UsernameFlag:
		ack.ReturnCode = 5
	case cp.Username != user || string(cp.Password) != pass:
		ack.ReturnCode = 4
	}
	ack.Write(c)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
