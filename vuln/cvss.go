package vuln

import (
	"math"
	"strings"
)

// SeverityFromVector computes the CVSS v3.0/v3.1 base score and level of a
// vector such as "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H". Other vectors
// (CVSS v2, v4) keep the vector with level "unknown".
func SeverityFromVector(vector string) Severity {
	s := Severity{Level: "unknown", Vector: vector}
	if !strings.HasPrefix(vector, "CVSS:3.") {
		return s
	}
	m := map[string]string{}
	for _, part := range strings.Split(vector, "/")[1:] {
		k, v, ok := strings.Cut(part, ":")
		if !ok {
			return s
		}
		m[k] = v
	}
	weights := map[string]map[string]float64{
		"AV": {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2},
		"AC": {"L": 0.77, "H": 0.44},
		"UI": {"N": 0.85, "R": 0.62},
		"C":  {"H": 0.56, "L": 0.22, "N": 0}, "I": {"H": 0.56, "L": 0.22, "N": 0}, "A": {"H": 0.56, "L": 0.22, "N": 0},
	}
	val := map[string]float64{}
	for k, w := range weights {
		x, ok := w[m[k]]
		if !ok {
			return s
		}
		val[k] = x
	}
	changed := m["S"] == "C"
	if m["S"] != "C" && m["S"] != "U" {
		return s
	}
	pr := map[string]float64{"N": 0.85, "L": 0.62, "H": 0.27}
	if changed {
		pr = map[string]float64{"N": 0.85, "L": 0.68, "H": 0.5}
	}
	prv, ok := pr[m["PR"]]
	if !ok {
		return s
	}
	iss := 1 - (1-val["C"])*(1-val["I"])*(1-val["A"])
	impact := 6.42 * iss
	if changed {
		impact = 7.52*(iss-0.029) - 3.25*math.Pow(iss-0.02, 15)
	}
	expl := 8.22 * val["AV"] * val["AC"] * prv * val["UI"]
	score := 0.0
	if impact > 0 {
		if changed {
			score = roundUp(math.Min(1.08*(impact+expl), 10))
		} else {
			score = roundUp(math.Min(impact+expl, 10))
		}
	}
	s.Score, s.Level = score, LevelOf(score)
	return s
}

// roundUp is CVSS v3.1's Roundup: the smallest number with one decimal that is
// equal to or higher than x, computed without floating-point surprises.
func roundUp(x float64) float64 {
	i := int64(math.Round(x * 100000))
	if i%10000 == 0 {
		return float64(i) / 100000
	}
	return float64(i/10000+1) / 10
}

// LevelOf maps a CVSS score to its qualitative level.
func LevelOf(score float64) string {
	switch {
	case score >= 9:
		return "critical"
	case score >= 7:
		return "high"
	case score >= 4:
		return "medium"
	case score > 0:
		return "low"
	}
	return "none"
}
