package sbom

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// maxCPEData bounds one cpe_data JSON file.
const maxCPEData = 64 << 20

// BuildrootCPEs reads the CPE IDs Buildroot wrote beside a legal-info
// manifest: every cpe_data*.json in dir, in either shape Buildroot makes —
// `make show-info` ({"pkg": {"cpe-id": …}}) or `pkg-stats`
// ({"packages": {"pkg": {"cpeid": …}}}). It maps package names to CPE 2.3
// strings; a directory without such files gives an empty map.
func BuildrootCPEs(dir string) (map[string]string, error) {
	files, _ := filepath.Glob(filepath.Join(dir, "cpe_data*.json"))
	sort.Strings(files)
	out := map[string]string{}
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			return nil, err
		}
		if st.Size() > maxCPEData {
			return nil, fmt.Errorf("%s: larger than %d bytes", f, maxCPEData)
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var info map[string]json.RawMessage
		if err := json.Unmarshal(b, &info); err != nil {
			return nil, fmt.Errorf("%s: %v", f, err)
		}
		if pk, ok := info["packages"]; ok {
			if err := json.Unmarshal(pk, &info); err != nil {
				return nil, fmt.Errorf("%s: packages: %v", f, err)
			}
		}
		for name, raw := range info {
			var p struct {
				CPEID  string `json:"cpe-id"`
				CPEID2 string `json:"cpeid"`
			}
			if json.Unmarshal(raw, &p) != nil {
				continue
			}
			if c := firstNonEmpty(p.CPEID, p.CPEID2); strings.HasPrefix(c, "cpe:2.3:") {
				if _, seen := out[name]; !seen {
					out[name] = c
				}
			}
		}
	}
	return out, nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// WithVersion returns a CPE 2.3 string with its version field set to v.
func WithVersion(cpe, v string) string {
	parts := strings.Split(cpe, ":")
	if len(parts) < 13 || v == "" {
		return cpe
	}
	parts[5] = strings.NewReplacer(":", `\:`, "*", `\*`).Replace(v)
	return strings.Join(parts, ":")
}
