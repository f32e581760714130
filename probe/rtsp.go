package probe

import (
	"fmt"

	"github.com/iotlabel/iotlabel/evidence"
)

// rtspPaths are stream paths common on cameras: many answer 404 at / and
// serve their stream at one of these. Tried in order, stopping at the first
// that exists (200 or 401).
var rtspPaths = []string{"/", "/live", "/stream1", "/h264", "/live.sdp", "/ch0_0.h264", "/11", "/cam/realmonitor"}

// rtspChecks sends DESCRIBE for the camera's stream: a stream description
// given without authentication is anonymous-access; a 401 leads to the
// default credentials with Basic or Digest.
func (ss *session) rtspChecks() []Finding {
	var uri string
	var rep reply
	var err error
	for _, p := range rtspPaths {
		uri = "rtsp://" + ss.svc.Address + p
		rep, err = ss.request("DESCRIBE", uri, "RTSP/1.0", map[string]string{"Accept": "application/sdp"})
		if err != nil || rep.status == 200 || rep.status == 401 {
			break
		}
	}
	if err != nil {
		return []Finding{ss.finding("anonymous-access", evidence.Error, "DESCRIBE failed: "+err.Error())}
	}
	ss.remember("server", rep.header.Get("Server"))
	switch {
	case rep.status == 200:
		f := ss.finding("anonymous-access", evidence.Fail,
			"the camera describes its stream "+uri+" without authentication (RTSP DESCRIBE answered 200): anyone on the network can watch it")
		f.Data = map[string]any{"stream": uri}
		return []Finding{f}
	case rep.status != 401:
		return []Finding{ss.finding("anonymous-access", evidence.Pass,
			fmt.Sprintf("no stream found at the %d common paths (the last answered %d)", len(rtspPaths), rep.status))}
	}
	out := []Finding{ss.finding("anonymous-access", evidence.Pass, "DESCRIBE "+uri+" without credentials answered 401")}
	scheme, params := challenge(rep.header.Values("Www-Authenticate"))
	if scheme == "" {
		return out
	}
	return append(out, ss.tryCredentials(func(c Credential) (loginResult, string, error) {
		return ss.authLogin("DESCRIBE", uri, uri, "RTSP/1.0", scheme, params, c)
	})...)
}
