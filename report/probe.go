package report

import (
	"html/template"
	"io"
	"strconv"
	"time"

	"github.com/iotlabel/iotlabel/evidence"
	"github.com/iotlabel/iotlabel/probe"
)

// ProbePage is what the operator's page shows: the hosts ranked by risk and,
// for each, the failures and errors of its checks.
type ProbePage struct {
	At      time.Time
	Version string
	Hosts   []probe.HostSummary
	// Items holds each host's evidence, by host.
	Items map[string][]evidence.Item
}

var probeTemplate = template.Must(template.New("probe").Funcs(template.FuncMap{
	"risk": func(h probe.HostSummary) string {
		switch {
		case h.Error != "":
			return "not probed"
		case h.Breaks == 1:
			return "high: breaks the legal baseline (Tier 1)"
		case h.Breaks > 1:
			return "breaks Tier " + strconv.Itoa(h.Breaks)
		case h.Failures > 0:
			return "weaknesses outside the tiers"
		case h.Silent:
			return "nothing answered"
		}
		return "no weakness found"
	},
	"shown": func(it evidence.Item) bool { return it.Result == evidence.Fail || it.Result == evidence.Error },
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>What is on the network: {{len .Hosts}} hosts</title>
<style>body{font-family:sans-serif;margin:1.5em;max-width:70em}table{border-collapse:collapse;width:100%}
td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}.fail{color:#b03a2e;font-weight:bold}
.error{color:#7d6608}h2{margin-top:1.5em;font-size:1.1em}</style></head><body>
<h1>What is on the network</h1>
<p>iotlabel probe {{.Version}}, {{.At.UTC.Format "2006-01-02 15:04 UTC"}}: {{len .Hosts}} hosts, riskiest first.
A failure that breaks Tier 1 breaks the legal baseline most markets require for sale.</p>
<table><tr><th>host</th><th>risk</th><th>failed checks</th><th>services</th><th>device</th><th>label</th></tr>
{{range .Hosts}}<tr><td><a href="#{{.Host}}">{{.Host}}</a></td><td>{{risk .}}</td><td>{{range $i, $c := .Failed}}{{if $i}}, {{end}}{{$c}}{{end}}</td><td>{{range $i, $s := .Services}}{{if $i}}, {{end}}{{$s}}{{end}}</td><td>{{with .Identity}}{{.Manufacturer}} {{.Model}} {{.Firmware}}{{end}}</td><td>{{with .Label}}{{.Status}}{{if .LabelID}} (tier {{.Tier}}, security updates until {{.SupportEnd}}){{end}}{{end}}</td></tr>
{{end}}</table>
{{$items := .Items}}{{range .Hosts}}<h2 id="{{.Host}}">{{.Host}}{{if .Address}} ({{.Address}}){{end}}: {{risk .}}</h2>
{{if .Error}}<p class="error">{{.Error}}</p>{{end}}
<ul>{{range index $items .Host}}{{if shown .}}<li class="{{.Result}}">{{.Result}} {{.Check}} on {{.Target}}: {{.Detail}}{{if .Username}} (user {{.Username}}, password {{.PasswordHint}}){{end}}</li>{{end}}{{end}}</ul>
{{end}}</body></html>
`))

// ProbeHTML writes the operator's page: one self-contained file to hand on.
func ProbeHTML(w io.Writer, p ProbePage) error { return probeTemplate.Execute(w, p) }
