package probe

import (
	"bytes"
	"fmt"
	"io"
	"net"

	"github.com/eclipse/paho.mqtt.golang/packets"

	"github.com/iotlabel/iotlabel/evidence"
)

// MQTT 3.1.1 CONNACK return codes (section 3.2.2.3).
const (
	mqttAccepted      = 0
	mqttBadCredential = 4
	mqttNotAuthorized = 5
)

// mqttConnect sends CONNECT (with a credential unless c is nil) on conn and
// returns the CONNACK return code. Only the four bytes of a CONNACK are
// read, so a service that answers something else costs nothing.
func mqttConnect(conn net.Conn, c *Credential) (byte, error) {
	if _, err := conn.Write(mqttConnectPacket(c)); err != nil {
		return 0, err
	}
	var b [4]byte
	if _, err := io.ReadFull(conn, b[:]); err != nil {
		return 0, err
	}
	if !isConnack(b[:]) {
		return 0, fmt.Errorf("not an MQTT CONNACK: % x", b)
	}
	if b[3] == mqttAccepted {
		packets.NewControlPacket(packets.Disconnect).Write(conn)
	}
	return b[3], nil
}

// mqttConnectPacket encodes an MQTT 3.1.1 CONNECT with a clean session,
// with the credential unless c is nil.
func mqttConnectPacket(c *Credential) []byte {
	p := packets.NewControlPacket(packets.Connect).(*packets.ConnectPacket)
	p.ProtocolName, p.ProtocolVersion, p.CleanSession, p.Keepalive = "MQTT", 4, true, 10
	p.ClientIdentifier = "iotlabel-" + randomHex(6)
	if c != nil {
		p.UsernameFlag, p.Username = true, c.Username
		p.PasswordFlag, p.Password = true, []byte(c.Password)
	}
	var buf bytes.Buffer
	p.Write(&buf)
	return buf.Bytes()
}

// isConnack says whether b starts with an MQTT CONNACK.
func isConnack(b []byte) bool { return len(b) >= 4 && b[0] == 0x20 && b[1] == 2 }

// mqttLogin tries one credential.
func (ss *session) mqttLogin(c Credential) (loginResult, string, error) {
	conn, err := ss.dial()
	if err != nil {
		return rejected, "", err
	}
	defer conn.Close()
	rc, err := mqttConnect(conn, &c)
	switch {
	case err != nil:
		return rejected, "", err
	case rc == mqttAccepted:
		return accepted, "the broker answered CONNACK 0 (accepted)", nil
	}
	return rejected, fmt.Sprintf("CONNACK %d", rc), nil
}

// mqttChecks: anonymous CONNECT accepted is anonymous-access; otherwise the
// default credentials are tried.
func (ss *session) mqttChecks() []Finding {
	conn, err := ss.dial()
	if err != nil {
		return []Finding{ss.finding("anonymous-access", evidence.Error, "could not connect: "+err.Error())}
	}
	rc, err := mqttConnect(conn, nil)
	conn.Close()
	switch {
	case err != nil:
		return []Finding{ss.finding("anonymous-access", evidence.Error, "anonymous CONNECT failed: "+err.Error())}
	case rc == mqttAccepted:
		return []Finding{ss.finding("anonymous-access", evidence.Fail,
			"the MQTT broker accepts clients without a username or password: anyone on the network can read and publish its topics")}
	}
	out := []Finding{ss.finding("anonymous-access", evidence.Pass, fmt.Sprintf("anonymous CONNECT refused (CONNACK %d)", rc))}
	return append(out, ss.tryCredentials(ss.mqttLogin)...)
}
