package probe

import (
	"fmt"

	"github.com/iotlabel/iotlabel/evidence"
)

// rtspChecks sends DESCRIBE for the stream at /: a stream description given
// without authentication is anonymous-access; a 401 leads to the default
// credentials with Basic or Digest.
func (ss *session) rtspChecks() []Finding {
	uri := "rtsp://" + ss.svc.Address + "/"
	rep, err := ss.request("DESCRIBE", uri, "RTSP/1.0", map[string]string{"Accept": "application/sdp"})
	if err != nil {
		return []Finding{ss.finding("anonymous-access", evidence.Error, "DESCRIBE failed: "+err.Error())}
	}
	switch {
	case rep.status == 200:
		return []Finding{ss.finding("anonymous-access", evidence.Fail,
			"the camera describes its stream without authentication (RTSP DESCRIBE answered 200): anyone on the network can watch it")}
	case rep.status != 401:
		return []Finding{ss.finding("anonymous-access", evidence.Pass, fmt.Sprintf("DESCRIBE %s answered %d", uri, rep.status))}
	}
	out := []Finding{ss.finding("anonymous-access", evidence.Pass, "DESCRIBE without credentials answered 401")}
	scheme, params := challenge(rep.header.Values("Www-Authenticate"))
	if scheme == "" {
		return out
	}
	return append(out, ss.tryCredentials(func(c Credential) (loginResult, string, error) {
		return ss.authLogin("DESCRIBE", uri, uri, "RTSP/1.0", scheme, params, c)
	})...)
}
